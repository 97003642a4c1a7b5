using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Pipeline.Storage;

/// <summary>
/// How to reach and authenticate to a storage account: a shared key, a SAS token, or Entra ID
/// tokens (a token credential: DefaultAzureCredential for developers, a named managed identity in
/// production). From a connection string, or from the environment (<see cref="FromEnvironment"/>).
/// <see cref="ToString"/> never shows a secret.
/// </summary>
public sealed class StorageCredentials
{
    private readonly StorageSharedKeyCredential? key;
    private readonly AzureSasCredential? sas;
    private readonly TokenCredential? token;

    private StorageCredentials(string account, Uri blobEndpoint, Uri? queueEndpoint, StorageSharedKeyCredential? key, AzureSasCredential? sas, TokenCredential? token, string kind)
    {
        Account = account;
        BlobEndpoint = WithSlash(blobEndpoint);
        QueueEndpoint = WithSlash(queueEndpoint ?? DerivedEndpoint(blobEndpoint, "queue"));
        this.key = key;
        this.sas = sas;
        this.token = token;
        Kind = kind;
    }

    public string Account { get; }

    public Uri BlobEndpoint { get; }

    /// <summary>The queue service: given, or the blob endpoint with ".blob." replaced by ".queue.".</summary>
    public Uri QueueEndpoint { get; }

    /// <summary>"shared key", "SAS", or the token credential's description.</summary>
    public string Kind { get; }

    /// <summary>The token credential, when the account is reached with Entra ID tokens.</summary>
    public TokenCredential? Token => token;

    /// <summary>The account key, for signing SAS tokens (tests, operators); null for other kinds.</summary>
    public StorageSharedKeyCredential? SharedKey => key;

    public static StorageCredentials WithKey(string account, Uri blobEndpoint, string base64Key, Uri? queueEndpoint = null)
    {
        try
        {
            _ = Convert.FromBase64String(base64Key);
        }
        catch (FormatException)
        {
            throw new FormatException($"storage account '{account}': the account key is not valid base64");
        }

        return new(account, blobEndpoint, queueEndpoint, new StorageSharedKeyCredential(account, base64Key), null, null, "shared key");
    }

    public static StorageCredentials WithSas(string account, Uri blobEndpoint, string sasToken, Uri? queueEndpoint = null) =>
        new(account, blobEndpoint, queueEndpoint, null, new AzureSasCredential(sasToken.TrimStart('?')), null, "SAS");

    /// <summary>Entra ID tokens from <paramref name="credential"/>; the account is the endpoint's (account.blob… or an emulator's path).</summary>
    public static StorageCredentials WithToken(Uri blobEndpoint, TokenCredential credential, string description, Uri? queueEndpoint = null) =>
        new(AccountOf(blobEndpoint), blobEndpoint, queueEndpoint, null, null, credential, description);

    /// <summary>Parses "DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;BlobEndpoint=…" (or SharedAccessSignature=…).</summary>
    public static StorageCredentials FromConnectionString(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        parts.TryGetValue("AccountName", out var account);
        Uri? queueEndpoint = parts.TryGetValue("QueueEndpoint", out var queue) ? new Uri(queue) : null;
        Uri endpoint;
        if (parts.TryGetValue("BlobEndpoint", out var blob))
        {
            endpoint = new Uri(blob);
            account ??= AccountOf(endpoint);
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

        if (parts.TryGetValue("AccountKey", out var key))
        {
            return WithKey(account, endpoint, key, queueEndpoint);
        }

        return parts.TryGetValue("SharedAccessSignature", out var sas)
            ? WithSas(account, endpoint, sas, queueEndpoint)
            : throw new FormatException($"storage account '{account}': the connection string has neither AccountKey nor SharedAccessSignature");
    }

    /// <summary>
    /// From the environment, or null when nothing is set: $AZURE_STORAGE_CONNECTION_STRING; else
    /// $AZURE_STORAGE_ACCOUNT (or the account URL, <paramref name="accountUrl"/> / $AZURE_STORAGE_BLOB_ENDPOINT)
    /// with $AZURE_STORAGE_KEY or $AZURE_STORAGE_SAS_TOKEN; and with neither, Entra ID tokens — the
    /// managed identity <paramref name="managedIdentityClientId"/> / $AZURE_STORAGE_MANAGED_IDENTITY_CLIENT_ID
    /// when given, else DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI…).
    /// $AZURE_STORAGE_QUEUE_ENDPOINT overrides the queue service's URL (emulators).
    /// </summary>
    public static StorageCredentials? FromEnvironment(string? accountUrl = null, string? managedIdentityClientId = null) =>
        FromVariables(Environment.GetEnvironmentVariable, accountUrl, managedIdentityClientId);

    internal static StorageCredentials? FromVariables(Func<string, string?> lookup, string? accountUrl = null, string? managedIdentityClientId = null)
    {
        string? Variable(string name) => lookup(name) is { Length: > 0 } value ? value : null;
        if (Variable("AZURE_STORAGE_CONNECTION_STRING") is { } connection)
        {
            return FromConnectionString(connection);
        }

        var account = Variable("AZURE_STORAGE_ACCOUNT");
        var url = accountUrl ?? Variable("AZURE_STORAGE_BLOB_ENDPOINT");
        if (account is null && url is null)
        {
            return null;
        }

        var endpoint = url is not null ? new Uri(url) : new Uri($"https://{account}.blob.core.windows.net/");
        account ??= AccountOf(endpoint);
        var queue = Variable("AZURE_STORAGE_QUEUE_ENDPOINT") is { } q ? new Uri(q) : null;
        if (Variable("AZURE_STORAGE_KEY") is { } key)
        {
            return WithKey(account, endpoint, key, queue);
        }

        if (Variable("AZURE_STORAGE_SAS_TOKEN") is { } sas)
        {
            return WithSas(account, endpoint, sas, queue);
        }

        var clientId = managedIdentityClientId ?? Variable("AZURE_STORAGE_MANAGED_IDENTITY_CLIENT_ID");
        return clientId is not null
            ? WithToken(endpoint, new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId)), $"managed identity {clientId}", queue)
            : WithToken(endpoint, new DefaultAzureCredential(), "DefaultAzureCredential", queue);
    }

    internal BlobServiceClient BlobService(BlobClientOptions options) =>
        key is not null ? new BlobServiceClient(BlobEndpoint, key, options)
        : sas is not null ? new BlobServiceClient(BlobEndpoint, sas, options)
        : new BlobServiceClient(BlobEndpoint, token!, options);

    internal QueueClient Queue(string name, QueueClientOptions options)
    {
        var url = new Uri(QueueEndpoint, Uri.EscapeDataString(name));
        return key is not null ? new QueueClient(url, key, options)
            : sas is not null ? new QueueClient(url, sas, options)
            : new QueueClient(url, token!, options);
    }

    /// <summary>The account of an endpoint: the host's first label (account.blob.core.windows.net), or an emulator's first path segment.</summary>
    private static string AccountOf(Uri endpoint) =>
        endpoint.HostNameType == UriHostNameType.Dns && endpoint.Host.Contains('.', StringComparison.Ordinal) && !endpoint.IsLoopback
            ? endpoint.Host.Split('.')[0]
            : endpoint.AbsolutePath.Trim('/').Split('/')[0];

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static Uri DerivedEndpoint(Uri blobEndpoint, string service) =>
        blobEndpoint.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase)
            ? new UriBuilder(blobEndpoint) { Host = blobEndpoint.Host.Replace(".blob.", $".{service}.", StringComparison.OrdinalIgnoreCase) }.Uri
            : blobEndpoint;

    public override string ToString() => $"{Account} at {BlobEndpoint} ({Kind})";
}
