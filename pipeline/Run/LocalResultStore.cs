using Pipeline.Graph.Stages;

namespace Pipeline.Graph.Run;

/// <summary>Results in a local (or mounted shared) folder: the sink's atomic rename is the commit.</summary>
public sealed class LocalResultStore(string folder) : IResultStore
{
    public string Location { get; } = Path.GetFullPath(folder);

    public string SinkDirectory => Location;

    public Task PrepareAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Location);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, string>> ListCommittedAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(Pipeline.Stages.Sink.PoseLabelFiles.InFolder(Location)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => f));

    public Task<string?> FindCommittedAsync(string videoId, CancellationToken cancellationToken = default)
    {
        var path = SinkStage.OutputPath(Location, videoId);
        return Task.FromResult(File.Exists(path) ? path : null);
    }

    public Task<string> CommitAsync(string sinkFile, string videoId, CancellationToken cancellationToken = default) => Task.FromResult(sinkFile);

    public Task<IReadOnlyList<RunManifest>> ReadManifestsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(RunManifests.ReadFolder(Location));

    public Task PublishManifestAsync(string localManifest, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
