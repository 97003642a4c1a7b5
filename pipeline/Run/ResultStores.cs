using System.Net;
using Pipeline.Graph.Remote;
using Pipeline.Storage;

namespace Pipeline.Graph.Run;

/// <summary>Opens the result store an output names: a local folder, or az://container/prefix.</summary>
public static class ResultStores
{
    /// <param name="output">A folder, or az://container/prefix (or its https:// URL).</param>
    /// <param name="storage">The storage account, needed for blob outputs.</param>
    /// <param name="sinkDirectory">Local folder results of a blob output are written to before their upload.</param>
    public static IResultStore Open(string output, RemoteStorage? storage, string sinkDirectory)
    {
        if (!BlobUri.IsRemote(output))
        {
            return new LocalResultStore(output);
        }

        if (storage is null)
        {
            throw new ArgumentException($"output {output}: no storage account is configured");
        }

        return new BlobResultStore(storage.Blobs, storage.Parse(output), sinkDirectory);
    }

    /// <summary>
    /// Ids of the videos committed under <paramref name="output"/>, without creating anything: a
    /// folder or container that does not exist yet has none.
    /// </summary>
    public static async Task<IReadOnlySet<string>> ListCommittedIdsAsync(string output, RemoteStorage? storage, CancellationToken cancellationToken = default)
    {
        if (!BlobUri.IsRemote(output) && !Directory.Exists(output))
        {
            return new HashSet<string>();
        }

        try
        {
            // Listing never writes, so the sink folder is never made.
            var committed = await Open(output, storage, Path.GetTempPath()).ListCommittedAsync(cancellationToken);
            return committed.Keys.ToHashSet();
        }
        catch (StorageException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return new HashSet<string>();
        }
    }
}
