using System.Net;
using Azure;
using Azure.Identity;

namespace Pipeline.Storage;

/// <summary>
/// Turns the SDK's exceptions into <see cref="StorageException"/>s that name the account and the
/// operation, with the HTTP status and the service's error code, and only the first line of the
/// service's message (never a key, a SAS or a token).
/// </summary>
internal static class StorageErrors
{
    public static async Task<T> Run<T>(string account, string operation, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (Translate(account, operation, e) is { } error)
        {
            throw error;
        }
    }

    public static async Task Run(string account, string operation, Func<Task> call) =>
        await Run<bool>(account, operation, async () =>
        {
            await call();
            return true;
        });

    /// <summary>The storage error for <paramref name="e"/>, or null for exceptions that are not the service's (cancellation).</summary>
    public static StorageException? Translate(string account, string operation, Exception e) => e switch
    {
        RequestFailedException { Status: 0 } f => new StorageException(account, operation, null, f.ErrorCode, $"no response: {FirstLine(f.InnerException?.Message ?? f.Message)}", f),
        RequestFailedException f => new StorageException(account, operation, (HttpStatusCode)f.Status, f.ErrorCode, $"HTTP {f.Status} {f.ErrorCode}: {FirstLine(f.Message)}", f),
        AuthenticationFailedException or CredentialUnavailableException => new StorageException(account, operation, HttpStatusCode.Unauthorized, "AuthenticationFailed", $"no token: {FirstLine(e.Message)}", e),
        AggregateException a => new StorageException(account, operation, null, null, $"no response after retries: {FirstLine(a.InnerExceptions.LastOrDefault()?.Message ?? a.Message)}", a),
        _ => null,
    };

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
