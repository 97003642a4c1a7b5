namespace Pipeline.Graph.Run;

/// <summary>
/// Keeps an output from mixing rows of different model runtimes. A resumed run skips committed
/// videos; if an earlier version of the product committed them on another libtorch, their rows
/// would differ from a fresh run's in the last digits, silently. The run manifests record each
/// run's versions: every committed video is attributed to the latest run whose manifest marks it
/// done, and a run over videos committed on another runtime is refused unless it recomputes them.
/// </summary>
public static class RuntimeCompatibility
{
    /// <summary>The manifest version key of the model runtime.</summary>
    public const string RuntimeKey = "libtorch";

    /// <summary>
    /// Throws <see cref="ArgumentException"/> (a refused input: exit code 2) naming the videos of
    /// <paramref name="committed"/> that <paramref name="manifests"/> attribute to another runtime than <paramref name="runtime"/>.
    /// </summary>
    public static void Check(IEnumerable<RunManifest> manifests, IEnumerable<string> committed, string runtime, string output)
    {
        var latest = new Dictionary<string, RunManifest>(StringComparer.Ordinal);
        foreach (var manifest in manifests)
        {
            foreach (var video in manifest.Videos.Where(v => v.Status == "done"))
            {
                if (!latest.TryGetValue(video.Id, out var seen) || seen.Started < manifest.Started)
                {
                    latest[video.Id] = manifest;
                }
            }
        }

        var foreign = committed
            .Select(id => (Id: id, Manifest: latest.GetValueOrDefault(id)))
            .Where(v => v.Manifest is not null && v.Manifest.Versions.GetValueOrDefault(RuntimeKey) != runtime)
            .ToList();
        if (foreign.Count == 0)
        {
            return;
        }

        var runtimes = string.Join(", ", foreign.Select(v => v.Manifest!.Versions.GetValueOrDefault(RuntimeKey) ?? "an unrecorded version").Distinct());
        var examples = string.Join(", ", foreign.Take(3).Select(v => v.Id)) + (foreign.Count > 3 ? ", …" : "");
        throw new ArgumentException(
            $"{output}: {foreign.Count} committed video(s) ({examples}) were labelled on {RuntimeKey} {runtimes}; this build runs {RuntimeKey} {runtime}, " +
            "whose rows differ in the last digits, so they would mix. Recompute them with --force, or write to a new output.");
    }
}
