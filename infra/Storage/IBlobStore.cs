namespace Pipeline.Storage;

/// <summary>A blob in a listing.</summary>
public sealed record BlobItem(string Name, long Length, string? ETag);

/// <summary>
/// The blob operations the pipeline needs (implemented by <see cref="AzureBlobStore"/> on the Azure SDK).
/// </summary>
public interface IBlobStore
{
    Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default);

    /// <summary>All blobs whose names start with <paramref name="prefix"/>, across result pages.</summary>
    IAsyncEnumerable<BlobItem> ListAsync(string container, string prefix = "", CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string container, string name, CancellationToken cancellationToken = default);

    Task DownloadToFileAsync(string container, string name, string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Uploads a file as a block blob (in blocks when large); the blob appears only when the block list
    /// is committed. With <paramref name="onlyIfAbsent"/>, an existing blob is left as it is and false is returned.
    /// </summary>
    Task<bool> UploadFileAsync(string container, string name, string path, bool onlyIfAbsent = false, CancellationToken cancellationToken = default);

    Task DeleteAsync(string container, string name, CancellationToken cancellationToken = default);
}
