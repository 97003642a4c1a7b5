namespace Pipeline.Graph.Run;

/// <summary>
/// The manifests next to one output merged into one entry per video: an output folder holds the
/// manifest of its last run and those of shards and queue workers, and a video committed by one
/// of them is listed as skipped by the runs after it. A video's entry is the one that did most:
/// done over failed over skipped over pending (then the latest run's).
/// </summary>
public static class RunManifests
{
    public static IReadOnlyDictionary<string, RunManifest.VideoEntry> MergeVideos(IEnumerable<RunManifest> manifests) =>
        manifests.OrderBy(m => m.Started)
            .SelectMany(m => m.Videos)
            .GroupBy(v => v.Id)
            .ToDictionary(g => g.Key, g => g.Select((v, order) => (v, order)).MaxBy(e => (Rank(e.v.Status), e.order)).v);

    /// <summary>The manifests (run-manifest*.json) in a local output folder.</summary>
    public static IReadOnlyList<RunManifest> ReadFolder(string folder) =>
        Directory.Exists(folder) ? [.. Directory.EnumerateFiles(folder, RunManifest.FilePattern).Order(StringComparer.Ordinal).Select(RunManifest.Read)] : [];

    private static int Rank(string status) => status switch
    {
        "done" => 3,
        "failed" => 2,
        "skipped" => 1,
        _ => 0,
    };
}
