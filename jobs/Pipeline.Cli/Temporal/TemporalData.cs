using System.Globalization;
using System.Security.Cryptography;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Pose.Temporal.Training;

namespace Pipeline.Cli.Temporal;

/// <summary>What `train` and `bench temporal` share: frame ranges, the backbone's identity, and opening (building) backbone caches.</summary>
internal static class TemporalData
{
    public const string Backbone = Pipeline.Stages.Pose.Temporal.TemporalModels.Backbone;

    /// <summary>Default cache root: out/cache/temporal under the working directory.</summary>
    public static string DefaultCacheRoot => Path.Combine("out", "cache", "temporal");

    /// <summary>"a-b" (inclusive, 0-based) → (a, b); anything else is an <see cref="ArgumentException"/> naming the option.</summary>
    public static (long First, long Last) ParseFrames(string text, string option)
    {
        var parts = text.Split('-');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a) && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b) && a <= b
            ? (a, b)
            : throw new ArgumentException($"{option} '{text}': expected a frame range a-b with a ≤ b (0-based, inclusive)");
    }

    /// <summary>SHA-256 over the backbone graph's files (model JSON and weights), short: the identity weights and rows record.</summary>
    public static string BackboneHash(ModelStore store)
    {
        var json = store.GraphModel(Backbone);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { json, Path.ChangeExtension(json, ".bin") }.Where(File.Exists))
        {
            sha.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }

    /// <summary>
    /// Opens the cache of <paramref name="video"/>'s frames (a video file, or a folder of numbered images
    /// decoded at the default frame rate) for these versions, building it (NanoDet, ByteTrack, Thunder) when absent.
    /// </summary>
    public static async Task<BackboneCache> OpenAsync(string video, (long First, long Last) frames, string[] versions, int seed, string cacheRoot, TorchSharp.torch.Device device, CancellationToken cancellationToken)
    {
        var folder = FrameFolder.IsFrameFolder(video);
        if (!File.Exists(video) && !folder)
        {
            throw new FileNotFoundException($"{video}: no such video or folder of images", video);
        }

        var store = ModelStore.Default;
        var bytes = folder ? FrameFolder.Frames(video).Sum(f => new FileInfo(f).Length) : new FileInfo(video).Length;
        var description = new CacheDescription(Path.GetFullPath(video), bytes, frames.First, frames.Last, versions, seed, BackboneHash(store));
        return await OpenOrBuildAsync(cacheRoot, description, $"frames {frames.First}–{frames.Last} of {video}, versions {string.Join(", ", versions)}", async () =>
        {
            using var backbone = new MoveNet(store.GraphModel(Backbone), device);
            using var detector = new NanoDetDetector(store.GraphModel("nanodet"), device: device);
            return await new BackboneCacheBuilder(backbone, detector).OpenOrBuildAsync(cacheRoot, description, new StderrProgress(), cancellationToken);
        });
    }

    /// <summary>
    /// Opens the papers' key-box windows (<see cref="KeyBoxCacheBuilder"/>) for <paramref name="keys"/> of the own-box cache
    /// <paramref name="source"/> at <paramref name="radius"/>, cutting them (decode, Thunder on every slot at the key's box) when absent.
    /// </summary>
    public static Task<BackboneCache> OpenKeyBoxAsync(BackboneCache source, IReadOnlyList<int> keys, int radius, string cacheRoot, TorchSharp.torch.Device device, CancellationToken cancellationToken)
    {
        var description = KeyBoxCacheBuilder.Describe(source, keys, radius);
        return OpenOrBuildAsync(cacheRoot, description, $"key-box windows of radius {radius} for {keys.Count} keys of {source.Directory}", async () =>
        {
            using var backbone = new MoveNet(ModelStore.Default.GraphModel(Backbone), device);
            return await new KeyBoxCacheBuilder(backbone).OpenOrBuildAsync(cacheRoot, source, keys, radius, new StderrProgress(), cancellationToken);
        });
    }

    /// <summary>
    /// The cache <paramref name="description"/> keys under <paramref name="cacheRoot"/>, reused when complete, else
    /// <paramref name="build"/>; progress on stderr names the directory, <paramref name="what"/> is built, and its size,
    /// followed by <paramref name="detail"/> of the cache when given.
    /// </summary>
    public static async Task<BackboneCache> OpenOrBuildAsync(string cacheRoot, CacheDescription description, string what, Func<Task<BackboneCache>> build, Func<BackboneCache, string>? detail = null)
    {
        var directory = Path.Combine(cacheRoot, BackboneCacheBuilder.Key(description));
        string Size(BackboneCache cache) => $"{cache.Items.Count} person-frames × {cache.Versions} versions" + (detail is null ? "" : $", {detail(cache)}");
        if (BackboneCache.Open(directory) is { } existing)
        {
            Console.Error.WriteLine($"backbone cache {directory}: {Size(existing)} (reused)");
            return existing;
        }

        Console.Error.WriteLine($"backbone cache {directory}: building for {what}");
        var cache = await build();
        Console.Error.WriteLine($"backbone cache {directory}: {Size(cache)}, {(double)cache.Items.Count * cache.Versions * cache.RecordBytes / (1 << 20):F0} MB on disk");
        return cache;
    }

    /// <summary>The repository's git commit, with "-dirty" when tracked files differ from it; "unknown" outside a checkout.</summary>
    public static string GitCommit()
    {
        var head = Git("rev-parse HEAD");
        return head is { Length: 40 } ? head + (Git("status --porcelain --untracked-files=no") is { Length: > 0 } ? "-dirty" : "") : "unknown";
    }

    private static string? Git(string arguments)
    {
        try
        {
            using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            var output = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
