using Pipeline.Graph.Remote;
using Pipeline.Storage;

namespace Pipeline.Graph.Run;

/// <summary>
/// Results in a blob container under a prefix: <c>prefix/&lt;video-id&gt;.parquet</c> and the run
/// manifest. A Parquet blob appears only when its block list is committed, and create-only
/// (If-None-Match: *), so a second worker finishing the same video can neither replace nor duplicate it.
/// </summary>
public sealed class BlobResultStore(IBlobStore blobs, BlobUri prefix, string sinkDirectory) : IResultStore
{
    public string Location => prefix.ToString();

    public string SinkDirectory { get; } = sinkDirectory;

    private BlobUri Blob(string fileName) => prefix.Child(fileName);

    public async Task PrepareAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(SinkDirectory);
        try
        {
            await blobs.CreateContainerIfNotExistsAsync(prefix.Container, cancellationToken);
        }
        catch (StorageException e) when (e.Status == System.Net.HttpStatusCode.Forbidden)
        {
            // A SAS scoped to one container may not create containers: if it can list this one,
            // the container exists and the run can go on; otherwise the original error stands.
            try
            {
                await using var listing = blobs.ListAsync(prefix.Container, Blob("").Path, cancellationToken).GetAsyncEnumerator(cancellationToken);
                await listing.MoveNextAsync();
            }
            catch (StorageException)
            {
                throw e;
            }
        }
    }

    public async Task<IReadOnlyDictionary<string, string>> ListCommittedAsync(CancellationToken cancellationToken = default)
    {
        var folder = Blob("").Path;
        var committed = new Dictionary<string, string>();
        await foreach (var item in blobs.ListAsync(prefix.Container, folder, cancellationToken))
        {
            var name = item.Name[folder.Length..];
            if (!name.Contains('/', StringComparison.Ordinal) && name.EndsWith(".parquet", StringComparison.Ordinal))
            {
                committed[name[..^".parquet".Length]] = new BlobUri(prefix.Container, item.Name).ToString();
            }
        }

        return committed;
    }

    public async Task<string?> FindCommittedAsync(string videoId, CancellationToken cancellationToken = default)
    {
        var blob = Blob(videoId + ".parquet");
        return await blobs.ExistsAsync(blob.Container, blob.Path, cancellationToken) ? blob.ToString() : null;
    }

    public async Task<string> CommitAsync(string sinkFile, string videoId, CancellationToken cancellationToken = default)
    {
        var blob = Blob(videoId + ".parquet");
        await blobs.UploadFileAsync(blob.Container, blob.Path, sinkFile, onlyIfAbsent: true, cancellationToken);
        File.Delete(sinkFile);
        return blob.ToString();
    }

    public async Task<IReadOnlyList<RunManifest>> ReadManifestsAsync(CancellationToken cancellationToken = default)
    {
        var folder = Blob("").Path;
        var manifests = new List<RunManifest>();
        var download = Path.Combine(SinkDirectory, ".earlier-manifest.json");
        await foreach (var item in blobs.ListAsync(prefix.Container, folder + "run-manifest", cancellationToken))
        {
            var name = item.Name[folder.Length..];
            if (!name.Contains('/', StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal))
            {
                await blobs.DownloadToFileAsync(prefix.Container, item.Name, download, cancellationToken);
                manifests.Add(RunManifest.Read(download));
            }
        }

        File.Delete(download);
        return manifests;
    }

    public async Task PublishManifestAsync(string localManifest, CancellationToken cancellationToken = default)
    {
        var blob = Blob(Path.GetFileName(localManifest));
        await blobs.UploadFileAsync(blob.Container, blob.Path, localManifest, cancellationToken: cancellationToken);
    }
}
