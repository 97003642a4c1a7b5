using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>
/// The papers' windows (<c>--neighbour-crops key-box</c>) cached for the bench: for each chosen key of an
/// own-box <see cref="BackboneCache"/>, every frame its window of radius δ takes — the frames the own-box
/// window takes (<see cref="WindowSlots"/> on the key's track) — cropped with the key frame's region, in the
/// own-box cache's versions with the same seeded degradations (seeded by the real track and frame, so a
/// frame gets the same kind and severity in both modes), Thunder once per crop version. Each key's window is
/// a track of its own here, its id the key's item index in the own-box cache, so a
/// <see cref="WindowAssembler"/> reads it as it reads own-box windows, every resampling the identity.
/// </summary>
public sealed class KeyBoxCacheBuilder(MoveNet backbone)
{
    /// <summary>The description of the key-box cache for these keys: the own-box cache's, with what the windows were cut for.</summary>
    public static CacheDescription Describe(BackboneCache source, IReadOnlyList<int> keys, int radius)
    {
        var description = source.Index.Description;
        var keyHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', keys))))[..16].ToLowerInvariant();
        return description with { KeyBox = string.Create(CultureInfo.InvariantCulture, $"radius {radius}, {keys.Count} keys ({keyHash}) of cache {BackboneCacheBuilder.Key(description)}") };
    }

    /// <summary>The item of the key-box cache that is own-box key <paramref name="key"/>'s key frame.</summary>
    public static int KeyItem(BackboneCache keyBox, BackboneCache source, int key) =>
        keyBox.Find(key, source.Items[key].Frame) ?? throw new ArgumentException($"the key-box cache {keyBox.Directory} has no window for person-frame {key}");

    /// <summary>Opens the key-box cache under <paramref name="root"/> for these keys, building it first if it is not there.</summary>
    public async Task<BackboneCache> OpenOrBuildAsync(string root, BackboneCache source, IReadOnlyList<int> keys, int radius, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var description = Describe(source, keys, radius);
        var directory = Path.Combine(root, BackboneCacheBuilder.Key(description));
        if (BackboneCache.Open(directory, backbone.FeatureSize) is { } existing)
        {
            return existing;
        }

        if (description.Labels is not null || source.Index.Description.KeyBox is not null)
        {
            throw new ArgumentException($"{source.Directory}: key-box windows are cut for a video's own-box cache, not a labelled or key-box one");
        }

        if (keys.Count == 0)
        {
            throw new ArgumentException("key-box windows need at least one key");
        }

        var wanted = FramesToCrop(source, keys, radius);
        Directory.CreateDirectory(directory);
        var reencoded = description.Versions.Contains("low-bitrate") ? await BackboneCacheBuilder.ReencodeAsync(description.Video, directory, cancellationToken) : null;
        var items = new List<CachedPersonFrame>();
        await using (var maps = new FileStream(Path.Combine(directory, BackboneCache.MapsFile), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var done = 0;
            var lastFrame = wanted.Keys.Last();
            await foreach (var (frame, lowBitrate) in BackboneCacheBuilder.FramesAsync(description.Video, reencoded, cancellationToken))
            {
                if (frame.Index > lastFrame)
                {
                    break;
                }

                if (!wanted.TryGetValue(frame.Index, out var atFrame))
                {
                    continue;
                }

                var regions = atFrame.Select(k => (source.Items[k].CropRegion, source.Items[k].Track)).ToList();
                var (keypoints, applied) = BackboneCacheBuilder.CacheCrops(backbone, frame, lowBitrate, regions, description, maps);
                items.AddRange(atFrame.Select((key, i) => new CachedPersonFrame(frame.Index, key, source.Items[key].Box, source.Items[key].Region, keypoints[i], applied[i])));
                if (++done % 50 == 0)
                {
                    progress?.Report($"key-box cache: frame {frame.Index}, {done}/{wanted.Count} frames, {items.Count} crops");
                }
            }

            await maps.FlushAsync(cancellationToken);
        }

        if (reencoded is not null)
        {
            File.Delete(reencoded);
        }

        var cut = items.Select(i => i.Frame).ToHashSet();
        var missing = wanted.Keys.Where(f => !cut.Contains(f)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{description.Video}: frames {string.Join(", ", missing.Take(5))} of the own-box cache could not be decoded again");
        }

        BackboneCache.WriteIndex(directory, new CacheIndex(description, items));
        return BackboneCache.Open(directory, backbone.FeatureSize)!;
    }

    // Per frame, the keys whose windows take it (each key's own track decides which frames, as in own-box mode).
    private static SortedDictionary<long, List<int>> FramesToCrop(BackboneCache source, IReadOnlyList<int> keys, int radius)
    {
        var wanted = new SortedDictionary<long, List<int>>();
        foreach (var key in keys.Distinct())
        {
            var frames = Enumerable.Range(-radius, (2 * radius) + 1).Select(d => source.Items[source.Slot(key, d, radius)].Frame).Distinct();
            foreach (var frame in frames)
            {
                if (!wanted.TryGetValue(frame, out var atFrame))
                {
                    wanted[frame] = atFrame = [];
                }

                atFrame.Add(key);
            }
        }

        return wanted;
    }
}
