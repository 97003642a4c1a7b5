using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Pipeline.Storage;

/// <summary>
/// <see cref="IBlobStore"/> on Azure.Storage.Blobs. Large uploads go in blocks that the service keeps
/// invisible until the block list is committed; a create-only commit (If-None-Match: *) carries a
/// commit id in the blob's metadata, so when its response is lost and the SDK's retry meets the blob
/// it created (409/412), it recognises its own commit instead of reporting someone else's.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    /// <summary>Metadata that names the upload that created a blob.</summary>
    public const string CommitMetadata = "pipeline_commit";

    private readonly BlobServiceClient service;

    public AzureBlobStore(StorageCredentials credentials, Action<BlobClientOptions>? configure = null)
    {
        Account = credentials.Account;
        service = credentials.BlobService(StorageClientOptions.Blob(configure));
    }

    public string Account { get; }

    /// <summary>Blocks for large uploads (default 4 MiB); files up to <see cref="SingleUploadLimit"/> go in one request.</summary>
    public int BlockSize { get; init; } = 4 << 20;

    public long SingleUploadLimit { get; init; } = 8 << 20;

    /// <summary>Results per listing page (the service's maximum is 5000).</summary>
    public int ListPageSize { get; init; } = 5000;

    private BlobContainerClient Container(string name) => service.GetBlobContainerClient(name);

    public Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default) =>
        StorageErrors.Run(Account, $"create container '{container}'", () => Container(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken));

    public async IAsyncEnumerable<BlobItem> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var operation = $"list '{container}/{prefix}'";
        var pages = Container(container).GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length > 0 ? prefix : null, cancellationToken).AsPages(pageSizeHint: ListPageSize).GetAsyncEnumerator(cancellationToken);
        await using (pages)
        {
            while (await StorageErrors.Run(Account, operation, () => pages.MoveNextAsync().AsTask()))
            {
                foreach (var blob in pages.Current.Values)
                {
                    yield return new BlobItem(blob.Name, blob.Properties.ContentLength ?? 0, blob.Properties.ETag?.ToString());
                }
            }
        }
    }

    public async Task<bool> ExistsAsync(string container, string name, CancellationToken cancellationToken = default) =>
        await StorageErrors.Run(Account, $"get properties of '{container}/{name}'", async () => (await Container(container).GetBlobClient(name).ExistsAsync(cancellationToken)).Value);

    public Task DownloadToFileAsync(string container, string name, string path, CancellationToken cancellationToken = default) =>
        StorageErrors.Run(Account, $"download '{container}/{name}'", async () =>
        {
            var temporary = path + ".download";
            await Container(container).GetBlobClient(name).DownloadToAsync(temporary, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        });

    public async Task<bool> UploadFileAsync(string container, string name, string path, bool onlyIfAbsent = false, CancellationToken cancellationToken = default)
    {
        var blob = Container(container).GetBlobClient(name);
        var commit = Guid.NewGuid().ToString("N");
        var options = new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { [CommitMetadata] = commit },
            Conditions = onlyIfAbsent ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null,
            TransferOptions = new StorageTransferOptions { InitialTransferSize = SingleUploadLimit, MaximumTransferSize = BlockSize, MaximumConcurrency = 1 },
        };
        var operation = $"upload '{container}/{name}'";
        try
        {
            await StorageErrors.Run(Account, operation, () => blob.UploadAsync(path, options, cancellationToken));
            return true;
        }
        catch (StorageException e) when (onlyIfAbsent && e.Status is System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.PreconditionFailed)
        {
            // The blob exists: ours if it carries our commit id (our first attempt committed and its response was lost).
            var properties = await StorageErrors.Run(Account, $"get properties of '{container}/{name}'", () => blob.GetPropertiesAsync(cancellationToken: cancellationToken));
            return properties.Value.Metadata.TryGetValue(CommitMetadata, out var existing) && existing == commit;
        }
    }

    public Task DeleteAsync(string container, string name, CancellationToken cancellationToken = default) =>
        StorageErrors.Run(Account, $"delete '{container}/{name}'", () => Container(container).GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken));
}
