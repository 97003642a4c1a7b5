using Pipeline.Stages.Imaging;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>Where a window's neighbour slots come from.</summary>
public enum NeighbourSource
{
    /// <summary>The track's frames t−δ … t+δ (<see cref="WindowSlots"/> at its ends and gaps), resampled onto the key crop.</summary>
    Track,

    /// <summary>Copies of the key frame's maps in every slot: the δ = 0 control, and the "neighbours replaced by the key frame" bench row.</summary>
    KeyCopies,
}

/// <summary>One window to assemble: its key person-frame and, per slot t−δ … t+δ, which cached version to read.</summary>
public sealed record WindowRequest(int Key, int[] SlotVersions);

/// <summary>
/// A batch of windows ready for a head: inputs, the targets for the key frames, the target keypoints
/// of every slot in the key crop's coordinates (for heads that supervise the whole window), whether
/// each slot holds its own frame t+d (1) or a repeat (0: a track's end or gap, or key copies), and,
/// when asked for, every slot's clean features.
/// </summary>
public sealed record WindowBatch(Tensor Features, Tensor Heatmaps, Tensor Targets, Tensor Weights, Tensor SlotKeypoints, Tensor SlotOwnFrame, Tensor? CleanFeatures, IReadOnlyList<WindowRequest> Requests) : IDisposable
{
    public void Dispose()
    {
        Features.Dispose();
        Heatmaps.Dispose();
        Targets.Dispose();
        Weights.Dispose();
        SlotKeypoints.Dispose();
        SlotOwnFrame.Dispose();
        CleanFeatures?.Dispose();
    }
}

/// <summary>
/// Turns cached backbone outputs into head inputs: for each window, the key person-frame's maps and
/// its track's neighbours' maps, each neighbour resampled from its own crop onto the key frame's
/// (<see cref="NeighbourAlignment"/>) — the framework's one backbone pass per person-frame — and the
/// Gaussian targets for the key frame (the teacher's keypoints, or its human label).
/// </summary>
public sealed class WindowAssembler(BackboneCache cache, int radius, NeighbourSource source = NeighbourSource.Track)
{
    public BackboneCache Cache => cache;

    public int Radius => radius;

    public int Window => (2 * radius) + 1;

    public NeighbourSource Source => source;

    /// <summary>The cache item in slot <paramref name="offset"/> (−δ … δ) of the window keyed on <paramref name="key"/>.</summary>
    public int SlotItem(int key, int offset) =>
        offset == 0 || source == NeighbourSource.KeyCopies ? key : cache.Slot(key, offset, radius);

    /// <summary>
    /// Features [B, T, 24, s, s], heatmaps [B, T, 17, s, s] (float32, on <paramref name="device"/>), targets [B, 17, s, s],
    /// weights [B, 17], slot keypoints [B, T, 17, 3], slot own-frame flags [B, T]; with <paramref name="withCleanFeatures"/>, every slot's clean features [B, T, 24, s, s].
    /// </summary>
    public WindowBatch Assemble(IReadOnlyList<WindowRequest> requests, Device? device = null, bool withCleanFeatures = false)
    {
        using var scope = NewDisposeScope();
        var maps = new List<Tensor>(requests.Count * Window);
        var clean = new List<Tensor>();
        var keyRegions = new List<BoundingBox>();
        var slotRegions = new List<BoundingBox>();
        var slotKeypoints = new float[requests.Count * Window * BackboneCache.Joints * 3];
        var ownFrame = new float[requests.Count * Window];
        foreach (var request in requests)
        {
            if (request.SlotVersions.Length != Window)
            {
                throw new ArgumentException($"a window of radius {radius} has {Window} slots, got {request.SlotVersions.Length} versions");
            }

            for (var slot = 0; slot < Window; slot++)
            {
                var item = SlotItem(request.Key, slot - radius);
                // Key copies repeat the key slot's version too: every slot holds exactly the key frame's maps.
                var version = source == NeighbourSource.KeyCopies ? request.SlotVersions[radius] : request.SlotVersions[slot];
                var (features, heatmaps) = cache.Read(item, version);
                maps.Add(cat([features, heatmaps], 0));
                if (withCleanFeatures)
                {
                    clean.Add(version == 0 ? features : cache.Read(item, 0).Features);
                }

                keyRegions.Add(cache.Items[request.Key].CropRegion);
                slotRegions.Add(cache.Items[item].CropRegion);
                InKeyCrop(cache.Target(item), cache.Items[item].CropRegion, cache.Items[request.Key].CropRegion)
                    .CopyTo(slotKeypoints, (keyRegions.Count - 1) * BackboneCache.Joints * 3);
                ownFrame[keyRegions.Count - 1] = slot == radius || (item != request.Key && cache.Items[item].Frame == cache.Items[request.Key].Frame + slot - radius) ? 1 : 0;
            }
        }

        // One resampling call for every slot; the key slots' (and key copies') maps map onto themselves (the identity).
        var aligned = NeighbourAlignment.Resample(stack(maps), keyRegions, slotRegions);
        var s = cache.MapSize;
        var window = aligned.view(requests.Count, Window, BackboneCache.FeatureChannels + BackboneCache.Joints, s, s);
        var teacher = tensor([.. requests.SelectMany(r => cache.Target(r.Key) ?? throw new ArgumentException($"person-frame {r.Key} has no label: it cannot be a window's key"))], [requests.Count, BackboneCache.Joints, 3]);
        var (targets, weights) = HeatmapTargets.Gaussian(teacher, s);
        Tensor? Output(Tensor? t) => t?.to(device ?? CPU).contiguous().MoveToOuterDisposeScope();
        var cleanFeatures = withCleanFeatures
            ? NeighbourAlignment.Resample(stack(clean), keyRegions, slotRegions).view(requests.Count, Window, BackboneCache.FeatureChannels, s, s)
            : null;
        return new WindowBatch(
            Output(window.narrow(2, 0, BackboneCache.FeatureChannels))!,
            Output(window.narrow(2, BackboneCache.FeatureChannels, BackboneCache.Joints))!,
            Output(targets)!,
            Output(weights)!,
            Output(tensor(slotKeypoints, [requests.Count, Window, BackboneCache.Joints, 3]))!,
            Output(tensor(ownFrame, [requests.Count, Window]))!,
            Output(cleanFeatures),
            requests);
    }

    /// <summary>
    /// Target keypoints (x, y, score; x, y normalised to <paramref name="from"/>) in the coordinates of
    /// <paramref name="to"/>; no target is 17 keypoints of score 0, and so is a joint that falls outside
    /// <paramref name="to"/> (its Gaussian would lie off the map, teaching an empty heatmap).
    /// </summary>
    public static float[] InKeyCrop(float[]? keypoints, BoundingBox from, BoundingBox to)
    {
        var mapped = new float[BackboneCache.Joints * 3];
        if (keypoints is null)
        {
            return mapped;
        }

        for (var j = 0; j < BackboneCache.Joints; j++)
        {
            mapped[(j * 3) + 0] = (from.X1 + (keypoints[(j * 3) + 0] * from.Width) - to.X1) / to.Width;
            mapped[(j * 3) + 1] = (from.Y1 + (keypoints[(j * 3) + 1] * from.Height) - to.Y1) / to.Height;
            var inside = mapped[(j * 3) + 0] is >= 0 and <= 1 && mapped[(j * 3) + 1] is >= 0 and <= 1;
            mapped[(j * 3) + 2] = inside ? keypoints[(j * 3) + 2] : 0;
        }

        return mapped;
    }
}
