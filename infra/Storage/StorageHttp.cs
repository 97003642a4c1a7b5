using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;

namespace Pipeline.Storage;

/// <summary>
/// The request loop both REST clients share: versioned, signed (SharedKey) or SAS-authorised
/// requests, a timeout per attempt, retries with backoff on 429/5xx/timeouts/connection failures,
/// and errors that name the account and the operation but never the key or the token.
/// </summary>
internal sealed class StorageHttp : IDisposable
{
    private const string Version = "2021-08-06";
    private readonly RetryPolicy retry;
    private readonly HttpClient http;

    public StorageHttp(StorageCredentials credentials, RetryPolicy? retry, HttpMessageHandler? handler)
    {
        Credentials = credentials;
        this.retry = retry ?? new RetryPolicy();
        http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = Timeout.InfiniteTimeSpan; // per attempt, below
    }

    public StorageCredentials Credentials { get; }

    /// <summary>The URL of <paramref name="path"/> (already escaped) under <paramref name="endpoint"/>, with the SAS token when there is no key.</summary>
    public Uri Url(Uri endpoint, string path, string query)
    {
        var sas = Credentials.Key is null ? Credentials.SasToken : null;
        var all = string.Join("&", new[] { query, sas }.Where(q => !string.IsNullOrEmpty(q)));
        return new Uri(endpoint, path + (all.Length > 0 ? "?" + all : ""));
    }

    /// <summary>Sends the request <paramref name="build"/> makes (again on each retry); statuses in <paramref name="accepted"/> are returned, not thrown.</summary>
    public async Task<HttpResponseMessage> SendAsync(string operation, Func<HttpRequestMessage> build, CancellationToken cancellationToken, params HttpStatusCode[] accepted)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = build();
            request.Headers.Add("x-ms-version", Version);
            request.Headers.Add("x-ms-date", DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture));
            if (Credentials.Key is { } key)
            {
                SharedKeySigner.Sign(request, Credentials.Account, key);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(retry.AttemptTimeout);
            HttpResponseMessage? response = null;
            Exception? failure = null;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (Exception e) when (e is HttpRequestException or SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failure = e;
            }

            if (response is not null && (response.IsSuccessStatusCode || accepted.Contains(response.StatusCode)))
            {
                return response;
            }

            var transient = response is null || RetryPolicy.IsTransient(response.StatusCode);
            if (!transient || attempt + 1 >= retry.MaxAttempts)
            {
                if (response is null)
                {
                    throw new StorageException(Credentials.Account, operation, null, null, $"no response after {attempt + 1} attempts: {failure!.Message}", failure);
                }

                var code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.First() : null;
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var message = XmlMessage(body) ?? response.ReasonPhrase ?? "error";
                response.Dispose();
                throw new StorageException(Credentials.Account, operation, response.StatusCode, code, $"HTTP {(int)response.StatusCode} {code}: {message}");
            }

            response?.Dispose();
            await Task.Delay(retry.Delay(attempt), cancellationToken);
        }
    }

    private static string? XmlMessage(string body)
    {
        try
        {
            return body.Length > 0 ? XDocument.Parse(body).Root?.Element("Message")?.Value.Split('\n')[0] : null;
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    public void Dispose() => http.Dispose();
}
