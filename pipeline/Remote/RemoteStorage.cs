using Pipeline.Storage;

namespace Pipeline.Graph.Remote;

/// <summary>The storage account that az:// and https:// inputs and outputs live in, and a client for it.</summary>
public sealed class RemoteStorage(StorageCredentials credentials, IBlobStore blobs)
{
    public StorageCredentials Credentials { get; } = credentials;

    public IBlobStore Blobs { get; } = blobs;

    public BlobUri Parse(string uri) => BlobUri.Parse(uri, Credentials);

    /// <summary>From $AZURE_STORAGE_CONNECTION_STRING or $AZURE_STORAGE_ACCOUNT (+ key or SAS); a clear error naming <paramref name="needer"/> when unset.</summary>
    public static RemoteStorage FromEnvironment(string needer)
    {
        var credentials = StorageCredentials.FromEnvironment()
            ?? throw new ArgumentException($"{needer} needs Azure Storage credentials: set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN");
        return new RemoteStorage(credentials, new AzureBlobClient(credentials));
    }
}
