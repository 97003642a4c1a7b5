using Pipeline.Graph.Remote;
using Pipeline.Graph.Run;
using Pipeline.Stages.Sink;

namespace Pipeline.Cli.Report;

/// <summary>
/// A run's output as local files: its Parquet files (checked from their footers) and its manifests
/// (the run's, its shards' and its workers'). A blob output (az://container/prefix) is downloaded
/// through the storage client into a temporary folder that <see cref="Dispose"/> removes.
/// </summary>
public sealed class ReportSource : IDisposable
{
    private readonly string? downloads;

    private ReportSource(string location, IReadOnlyList<string> parquetFiles, IReadOnlyList<RunManifest> manifests, string? downloads)
    {
        Location = location;
        ParquetFiles = parquetFiles;
        Manifests = manifests;
        this.downloads = downloads;
    }

    public string Location { get; }

    public IReadOnlyList<string> ParquetFiles { get; }

    public IReadOnlyList<RunManifest> Manifests { get; }

    /// <exception cref="FileNotFoundException">No such folder.</exception>
    /// <exception cref="InvalidDataException">No output there, or a file that is not pose labels.</exception>
    public static async Task<ReportSource> OpenAsync(string input, RemoteStorage? storage, CancellationToken cancellationToken = default)
    {
        if (BlobUri.IsRemote(input))
        {
            return await DownloadAsync(input, storage, cancellationToken);
        }

        if (!Directory.Exists(input))
        {
            throw new FileNotFoundException($"{input}: no such output folder", input);
        }

        var manifests = RunManifests.ReadFolder(input);
        var files = PoseLabelFiles.InFolder(input).ToList();
        return await CheckedAsync(input, files, manifests, null, cancellationToken);
    }

    public void Dispose()
    {
        if (downloads is not null && Directory.Exists(downloads))
        {
            Directory.Delete(downloads, recursive: true);
        }
    }

    private static async Task<ReportSource> DownloadAsync(string input, RemoteStorage? storage, CancellationToken cancellationToken)
    {
        if (storage is null)
        {
            throw new ArgumentException($"{input}: no storage account is configured ({Commands.StorageFlags.CredentialsHelp})");
        }

        var folder = Directory.CreateTempSubdirectory("report-").FullName;
        try
        {
            var store = ResultStores.Open(input, storage, folder);
            var manifests = await store.ReadManifestsAsync(cancellationToken);
            var files = new List<string>();
            foreach (var (videoId, uri) in (await store.ListCommittedAsync(cancellationToken)).OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                var blob = storage.Parse(uri);
                var local = Path.Combine(folder, videoId + ".parquet");
                await storage.Blobs.DownloadToFileAsync(blob.Container, blob.Path, local, cancellationToken);
                files.Add(local);
            }

            return await CheckedAsync(input, files, manifests, folder, cancellationToken);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static async Task<ReportSource> CheckedAsync(string input, List<string> files, IReadOnlyList<RunManifest> manifests, string? downloads, CancellationToken cancellationToken)
    {
        if (files.Count == 0 && manifests.Count == 0)
        {
            throw new InvalidDataException($"{input}: no prelabel output here (no .parquet files and no run-manifest*.json)");
        }

        foreach (var file in files)
        {
            await PoseLabelFiles.CheckAsync(file, cancellationToken);
        }

        return new ReportSource(input, files, manifests, downloads);
    }
}
