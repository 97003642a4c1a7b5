using System.CommandLine;
using Pipeline.Graph.Remote;
using Pipeline.Storage;

namespace Pipeline.Cli.Commands;

/// <summary>The storage account flags `prelabel`, `worker` and `enqueue` share, over the environment's credentials.</summary>
internal sealed class StorageFlags
{
    public const string CredentialsHelp = "set AZURE_STORAGE_CONNECTION_STRING; or AZURE_STORAGE_ACCOUNT (or --storage-account-url) with AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN; or just the account, for Entra ID tokens (DefaultAzureCredential, or --managed-identity)";

    public Option<string?> AccountUrl { get; } = new("--storage-account-url") { Description = "The storage account's blob endpoint, e.g. https://archive.blob.core.windows.net/ (default: AZURE_STORAGE_BLOB_ENDPOINT, or from AZURE_STORAGE_ACCOUNT)." };

    public Option<string?> ManagedIdentity { get; } = new("--managed-identity") { Description = "Client id of the user-assigned managed identity to authenticate to storage with when no key, SAS or connection string is set (default: AZURE_STORAGE_MANAGED_IDENTITY_CLIENT_ID, else DefaultAzureCredential)." };

    public IEnumerable<Option> All => [AccountUrl, ManagedIdentity];

    /// <summary>The storage account from the flags and the environment, or null when none is configured (local-only runs).</summary>
    public RemoteStorage? Resolve(ParseResult result) =>
        StorageCredentials.FromEnvironment(result.GetValue(AccountUrl), result.GetValue(ManagedIdentity)) is { } credentials ? new RemoteStorage(credentials, new AzureBlobStore(credentials)) : null;
}
