using Pipeline.Storage;

namespace Pipeline.Graph.Remote;

/// <summary>The storage account that az:// and https:// inputs and outputs live in, and a client for it.</summary>
public sealed class RemoteStorage(StorageCredentials credentials, IBlobStore blobs)
{
    public StorageCredentials Credentials { get; } = credentials;

    public IBlobStore Blobs { get; } = blobs;

    public BlobUri Parse(string uri) => BlobUri.Parse(uri, Credentials);
}
