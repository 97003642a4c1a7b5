using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Stages.Imaging;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>One tracked person on one frame, with what single-frame Thunder made of each cached version of its crop.</summary>
/// <param name="Frame">Frame index in the video.</param>
/// <param name="Track">ByteTrack id (stable within the video); in a key-box cache, the key's item index in its own-box cache (<see cref="KeyBoxCacheBuilder"/>).</param>
/// <param name="Box">The tracked box (x1, y1, x2, y2) in frame pixels (in a key-box cache, the key's); OKS takes its area.</param>
/// <param name="Region">The crop region: the box enlarged by 25 % and made square, in frame pixels.</param>
/// <param name="Keypoints">Per version, Thunder's decoded keypoints (x, y, score) × 17, crop-normalised; version 0 is the clean crop, the teacher.</param>
/// <param name="Degradations">Per version, what was done to the crop ("clean", "Jpeg 2", "low-bitrate").</param>
/// <param name="Label">
/// In a cache built from human labels (<see cref="CacheDescription.Labels"/>), the annotated person this
/// tracked person was matched to: (x, y, 1 labelled / 0 not) × 17 in COCO's order, crop-normalised; null
/// when the frame is not labelled or no annotated person matched.
/// </param>
public sealed record CachedPersonFrame(long Frame, int Track, float[] Box, float[] Region, float[][] Keypoints, string[] Degradations,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float[]? Label = null)
{
    public BoundingBox CropRegion => new(Region[0], Region[1], Region[2], Region[3]);

    public BoundingBox PersonBox => new(Box[0], Box[1], Box[2], Box[3]);

    /// <summary>The teacher: Thunder on the clean crop.</summary>
    public float[] Teacher => Keypoints[0];
}

/// <summary>What a cache was built from; two builds with equal descriptions give the same cache.</summary>
/// <param name="Labels">
/// Null for self-distillation (the teacher's keypoints are the targets); for a cache built from human
/// labels, what identifies them (format and a hash of the annotation files), and <paramref name="Video"/>
/// is then the dataset's root. Left out of the JSON when null, so caches from before it keep their keys.
/// </param>
/// <param name="KeyBox">
/// Null for a cache of own-box crops; for the papers' key-box windows (<see cref="KeyBoxCacheBuilder"/>), which
/// own-box cache, radius and keys they were cut for. Left out of the JSON when null, as <paramref name="Labels"/>.
/// </param>
public sealed record CacheDescription(string Video, long VideoBytes, long FirstFrame, long LastFrame, string[] Versions, int Seed, string Backbone,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Labels = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeyBox = null);

/// <summary>The cache's index (index.json): its description and its person-frames in the order of their records.</summary>
public sealed record CacheIndex(CacheDescription Description, List<CachedPersonFrame> Items);

/// <summary>
/// The frozen backbone's outputs for every person-frame of a frame range, for several versions of each
/// crop (clean, degraded, re-encoded), so that training and the temporal bench run the backbone once per
/// crop version instead of once per step. Each record is features [24, 64, 64] then sigmoid heatmaps
/// [17, 64, 64] in float16 (336 KB at Thunder's 256² input), stored in <c>maps.f16</c> item by item,
/// version by version, and read back on demand, so memory stays small whatever the cache's size (the
/// OS page cache keeps the hot part).
/// </summary>
public sealed class BackboneCache : IDisposable
{
    public const string IndexFile = "index.json";
    public const string MapsFile = "maps.f16";
    public const int FeatureChannels = 24;
    public const int Joints = 17;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle maps;
    private readonly Dictionary<(int Track, long Frame), int> byTrackFrame = [];

    private BackboneCache(string directory, CacheIndex index, int mapSize)
    {
        Directory = directory;
        Index = index;
        MapSize = mapSize;
        maps = File.OpenHandle(Path.Combine(directory, MapsFile));
        var expected = (long)index.Items.Count * Versions * RecordBytes;
        if (RandomAccess.GetLength(maps) != expected)
        {
            maps.Dispose();
            throw new InvalidDataException($"{Path.Combine(directory, MapsFile)}: {RandomAccess.GetLength(maps)} bytes, expected {expected} for {index.Items.Count} person-frames × {Versions} versions; delete the cache folder to rebuild it");
        }

        for (var i = 0; i < index.Items.Count; i++)
        {
            byTrackFrame[(index.Items[i].Track, index.Items[i].Frame)] = i;
        }
    }

    public string Directory { get; }

    public CacheIndex Index { get; }

    public IReadOnlyList<CachedPersonFrame> Items => Index.Items;

    public int Versions => Index.Description.Versions.Length;

    /// <summary>Side of the stride-4 maps (64 for Thunder).</summary>
    public int MapSize { get; }

    public long RecordBytes => (long)(FeatureChannels + Joints) * MapSize * MapSize * sizeof(ushort);

    /// <summary>Opens a complete cache; null when <paramref name="directory"/> holds none (a build that did not finish leaves no index).</summary>
    public static BackboneCache? Open(string directory, int mapSize = 64)
    {
        var indexPath = Path.Combine(directory, IndexFile);
        if (!File.Exists(indexPath))
        {
            return null;
        }

        var index = JsonSerializer.Deserialize<CacheIndex>(File.ReadAllText(indexPath), Json)
            ?? throw new InvalidDataException($"{indexPath}: empty cache index; delete the cache folder to rebuild it");
        return new BackboneCache(directory, index, mapSize);
    }

    internal static void WriteIndex(string directory, CacheIndex index)
    {
        var path = Path.Combine(directory, IndexFile);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(index, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Whether the targets are human labels (<see cref="CachedPersonFrame.Label"/>) rather than the teacher's keypoints.</summary>
    public bool HumanLabelled => Index.Description.Labels is not null;

    /// <summary>An item's training target, (x, y, score) × 17 crop-normalised: its label in a human-labelled cache (null when it has none), else the teacher.</summary>
    public float[]? Target(int item) => HumanLabelled ? Items[item].Label : Items[item].Teacher;

    /// <summary>Items whose target has at least one joint that counts (score ≥ 0.3): the keys windows are drawn from.</summary>
    public bool Teaches(int item) =>
        Target(item) is { } target && Enumerable.Range(0, Joints).Any(j => target[(j * 3) + 2] >= HeatmapTargets.MinScore);

    /// <summary>The item in slot <paramref name="offset"/> of the window of radius <paramref name="radius"/> keyed on <paramref name="key"/> (<see cref="WindowSlots"/>).</summary>
    public int Slot(int key, int offset, int radius)
    {
        var item = Index.Items[key];
        var frame = WindowSlots.Frame(f => byTrackFrame.ContainsKey((item.Track, f)), item.Frame, offset, radius);
        return byTrackFrame[(item.Track, frame)];
    }

    /// <summary>The item of track <paramref name="track"/> on frame <paramref name="frame"/>; null when the cache has none.</summary>
    public int? Find(int track, long frame) => byTrackFrame.TryGetValue((track, frame), out var item) ? item : null;

    /// <summary>Features [24, s, s] and heatmaps [17, s, s], float32 on the CPU, of one item's version.</summary>
    public (Tensor Features, Tensor Heatmaps) Read(int item, int version)
    {
        var values = new Half[RecordBytes / sizeof(ushort)];
        RandomAccess.Read(maps, MemoryMarshal.AsBytes(values.AsSpan()), (((long)item * Versions) + version) * RecordBytes);
        using var scope = NewDisposeScope();
        var all = tensor(values, [FeatureChannels + Joints, MapSize, MapSize]).to(float32);
        return (all.narrow(0, 0, FeatureChannels).MoveToOuterDisposeScope(), all.narrow(0, FeatureChannels, Joints).MoveToOuterDisposeScope());
    }

    public void Dispose() => maps.Dispose();
}
