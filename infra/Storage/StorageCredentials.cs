namespace Pipeline.Storage;

/// <summary>
/// How to reach and authenticate to a storage account: SharedKey (account + key) or a SAS token.
/// From a connection string, or from $AZURE_STORAGE_CONNECTION_STRING / $AZURE_STORAGE_ACCOUNT +
/// $AZURE_STORAGE_KEY / $AZURE_STORAGE_SAS_TOKEN (+ $AZURE_STORAGE_BLOB_ENDPOINT /
/// $AZURE_STORAGE_QUEUE_ENDPOINT for emulators). <see cref="ToString"/> never shows the secret.
/// </summary>
public sealed class StorageCredentials
{
    public StorageCredentials(string account, Uri blobEndpoint, byte[]? key = null, string? sasToken = null, Uri? queueEndpoint = null)
    {
        if (key is null && sasToken is null)
        {
            throw new ArgumentException($"storage account '{account}': give an account key or a SAS token");
        }

        Account = account;
        BlobEndpoint = blobEndpoint;
        QueueEndpoint = queueEndpoint ?? DerivedEndpoint(blobEndpoint, "queue");
        Key = key;
        SasToken = sasToken?.TrimStart('?');
    }

    public string Account { get; }

    public Uri BlobEndpoint { get; }

    /// <summary>The queue service: given, or the blob endpoint with ".blob." replaced by ".queue.".</summary>
    public Uri QueueEndpoint { get; }

    internal byte[]? Key { get; }

    internal string? SasToken { get; }

    /// <summary>Parses "DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;BlobEndpoint=…" (or SharedAccessSignature=…).</summary>
    public static StorageCredentials FromConnectionString(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        parts.TryGetValue("AccountName", out var account);
        parts.TryGetValue("AccountKey", out var key);
        parts.TryGetValue("SharedAccessSignature", out var sas);
        Uri endpoint;
        Uri? queueEndpoint = parts.TryGetValue("QueueEndpoint", out var queue) ? new Uri(queue.TrimEnd('/') + "/") : null;
        if (parts.TryGetValue("BlobEndpoint", out var blob))
        {
            endpoint = new Uri(blob.TrimEnd('/') + "/");
            account ??= endpoint.Host.Split('.')[0];
        }
        else
        {
            if (account is null)
            {
                throw new FormatException("the storage connection string names no AccountName or BlobEndpoint");
            }

            var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var p) ? p : "https";
            var suffix = parts.TryGetValue("EndpointSuffix", out var s) ? s : "core.windows.net";
            endpoint = new Uri($"{protocol}://{account}.blob.{suffix}/");
            queueEndpoint ??= new Uri($"{protocol}://{account}.queue.{suffix}/");
        }

        byte[]? keyBytes = null;
        if (key is not null)
        {
            try
            {
                keyBytes = Convert.FromBase64String(key);
            }
            catch (FormatException)
            {
                throw new FormatException($"storage account '{account}': AccountKey is not valid base64");
            }
        }

        return new StorageCredentials(account!, endpoint, keyBytes, sas, queueEndpoint);
    }

    /// <summary>From the environment, or null when nothing is set.</summary>
    public static StorageCredentials? FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } connection)
        {
            return FromConnectionString(connection);
        }

        if (Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT") is not { Length: > 0 } account)
        {
            return null;
        }

        var key = Environment.GetEnvironmentVariable("AZURE_STORAGE_KEY");
        var sas = Environment.GetEnvironmentVariable("AZURE_STORAGE_SAS_TOKEN");
        var endpoint = Environment.GetEnvironmentVariable("AZURE_STORAGE_BLOB_ENDPOINT") is { Length: > 0 } e ? new Uri(e.TrimEnd('/') + "/") : new Uri($"https://{account}.blob.core.windows.net/");
        var queue = Environment.GetEnvironmentVariable("AZURE_STORAGE_QUEUE_ENDPOINT") is { Length: > 0 } q ? new Uri(q.TrimEnd('/') + "/") : null;
        return new StorageCredentials(account, endpoint, key is { Length: > 0 } ? Convert.FromBase64String(key) : null, sas is { Length: > 0 } ? sas : null, queue);
    }

    private static Uri DerivedEndpoint(Uri blobEndpoint, string service) =>
        blobEndpoint.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase)
            ? new UriBuilder(blobEndpoint) { Host = blobEndpoint.Host.Replace(".blob.", $".{service}.", StringComparison.OrdinalIgnoreCase) }.Uri
            : blobEndpoint;

    public override string ToString() => $"{Account} at {BlobEndpoint} ({(Key is not null ? "shared key" : "SAS")})";
}
