namespace Pipeline.Graph.Run;

/// <summary>
/// Where a run's committed results live: a local folder, or a blob container and prefix. The sink
/// writes each video's Parquet file into <see cref="SinkDirectory"/> (temporary name, then rename);
/// <see cref="CommitAsync"/> then makes it final where it belongs.
/// </summary>
public interface IResultStore
{
    /// <summary>The output as the user named it (a folder, or az://container/prefix).</summary>
    string Location { get; }

    /// <summary>The local folder the sink and the run manifest are written to.</summary>
    string SinkDirectory { get; }

    /// <summary>Creates the output (and checks access to it, so bad credentials stop a run before any work).</summary>
    Task PrepareAsync(CancellationToken cancellationToken = default);

    /// <summary>Committed videos: id → where the file is.</summary>
    Task<IReadOnlyDictionary<string, string>> ListCommittedAsync(CancellationToken cancellationToken = default);

    /// <summary>Where <paramref name="videoId"/>'s results are, or null when it has none yet.</summary>
    Task<string?> FindCommittedAsync(string videoId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the sink's file final and returns where it is. Never replaces a file already committed:
    /// results are deterministic, so a second worker's identical copy is dropped.
    /// </summary>
    Task<string> CommitAsync(string sinkFile, string videoId, CancellationToken cancellationToken = default);

    /// <summary>The run manifests of earlier runs (and shards, and workers) next to the results.</summary>
    Task<IReadOnlyList<RunManifest>> ReadManifestsAsync(CancellationToken cancellationToken = default);

    /// <summary>Publishes the run manifest written at <paramref name="localManifest"/> next to the results.</summary>
    Task PublishManifestAsync(string localManifest, CancellationToken cancellationToken = default);
}
