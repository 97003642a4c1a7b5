using System.Diagnostics;
using System.Security.Cryptography;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose.Temporal.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// A temporal pose model as the pipeline runs it: the frozen MoveNet Thunder backbone and a trained
/// head. The default (own-box) way runs <see cref="RunBackbone"/> once per person-frame and
/// <see cref="Refine"/> on windows of those maps aligned onto the key crop (the pose worker keeps
/// each track's recent maps). <see cref="Predict"/> is the papers' way (<c>--neighbour-crops key-box</c>):
/// windows whose every frame was cropped with the key frame's box, the backbone run on all of them.
/// </summary>
public sealed class TemporalPoseModel : IPoseModel
{
    private readonly MoveNet backbone;
    private readonly TemporalHead head;
    private long backboneCrops;
    private long backboneTicks;
    private long headWindows;
    private long headCalls;
    private long headTicks;

    public TemporalPoseModel(string backboneJson, string weightsPath, string name, Device? device = null)
    {
        backbone = new MoveNet(backboneJson, device);
        try
        {
            head = TemporalModels.Create(name);
            Metadata = TemporalWeights.Load(weightsPath, head);
            head.to(backbone.Device);
            head.eval();
        }
        catch
        {
            // Create may have thrown before the head existed; Load or to() after it, and the head's native tensors are ours.
            head?.Dispose();
            backbone.Dispose();
            throw;
        }

        Name = name;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(File.ReadAllBytes(Path.ChangeExtension(backboneJson, ".bin")));
        sha.AppendData(File.ReadAllBytes(weightsPath));
        WeightsHash = Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The head's name ("fasrnet", "dsa").</summary>
    public string Name { get; }

    /// <summary>SHA-256 over the backbone's weights and the head's weights file.</summary>
    public string WeightsHash { get; }

    /// <summary>The weights file's metadata (training command, commit, final numbers).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public int InputSize => backbone.InputSize;

    public int Radius => head.Radius;

    public Device Device => backbone.Device;

    /// <summary>Crops the backbone has run on so far (for "backbone passes per person-frame").</summary>
    public long BackboneCrops => Interlocked.Read(ref backboneCrops);

    /// <summary>
    /// Crops [N, 3, S, S] (RGB 0–255) → the backbone's maps [N, 24 + 17, s, s] on the model's device: features, then
    /// sigmoid heatmaps, in one tensor so that a window's slots stack without another copy. Only these two of
    /// Thunder's outputs are computed (<see cref="MoveNet.ForwardMaps"/>: its other heads cost ~11 % of a pass).
    /// </summary>
    public Tensor RunBackbone(Tensor crops)
    {
        var start = Stopwatch.GetTimestamp();
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        Interlocked.Add(ref backboneCrops, crops.size(0));
        var (features, logits) = backbone.ForwardMaps(crops.to(Device).to(float32));
        var maps = scope.MoveToOuter(cat([features, logits.sigmoid()], 1));
        Interlocked.Add(ref backboneTicks, Stopwatch.GetTimestamp() - start);
        return maps;
    }

    /// <summary>
    /// Wall-clock time spent in <see cref="RunBackbone"/> and in the head with its decoding (<see cref="Refine"/>), and
    /// the person-windows refined in how many calls, so far: where a pose worker's time goes (for <c>bench pipeline</c>). On a
    /// CPU the ops have finished when the calls return; a GPU's run asynchronously, so there the split is only rough.
    /// </summary>
    public (TimeSpan Backbone, TimeSpan Head, long HeadWindows, long HeadCalls) TimeSpent =>
        (Stopwatch.GetElapsedTime(0, Interlocked.Read(ref backboneTicks)), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref headTicks)), Interlocked.Read(ref headWindows), Interlocked.Read(ref headCalls));

    /// <summary>Aligned windows — features [B, T, 24, s, s], heatmaps [B, T, 17, s, s] — → keypoints [B, 17, 3] as (x, y, score), crop-normalised.</summary>
    public Tensor Refine(Tensor features, Tensor heatmaps)
    {
        var start = Stopwatch.GetTimestamp();
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        using var output = head.call(features, heatmaps);
        var keypoints = scope.MoveToOuter(HeatmapDecoder.Decode(output.Heatmaps));
        Interlocked.Add(ref headWindows, features.size(0));
        Interlocked.Increment(ref headCalls);
        Interlocked.Add(ref headTicks, Stopwatch.GetTimestamp() - start);
        return keypoints;
    }

    /// <summary>
    /// Windows given slot by slot — each slot t−δ … t+δ a person-frame's crop region and its backbone maps
    /// [24 + 17, s, s] (<see cref="RunBackbone"/>), the key in the middle — with every slot resampled onto the
    /// key's crop, refined: keypoints [B, 17, 3] (x, y, score) normalised to the key crop. Slots cut with the
    /// key's own region (the key itself, its repeats at a track's ends) are taken as they are: their
    /// resampling is the identity up to rounding (~1e-6), and skipping it saves a fifth to a third of the work.
    /// </summary>
    public Tensor RefineSlots(IReadOnlyList<IReadOnlyList<(BoundingBox Region, Tensor Maps)>> windows)
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode(); // no autograd bookkeeping for the stacking and resampling either
        var maps = new List<Tensor>();
        var moved = new List<long>();
        var keyRegions = new List<BoundingBox>();
        var slotRegions = new List<BoundingBox>();
        foreach (var slots in windows)
        {
            if (slots.Count != (2 * Radius) + 1)
            {
                throw new ArgumentException($"{Name} takes windows of {(2 * Radius) + 1} frames, got {slots.Count}");
            }

            foreach (var (region, slotMaps) in slots)
            {
                if (region != slots[Radius].Region)
                {
                    moved.Add(maps.Count);
                    keyRegions.Add(slots[Radius].Region);
                    slotRegions.Add(region);
                }

                maps.Add(slotMaps);
            }
        }

        var aligned = stack(maps);
        if (moved.Count > 0)
        {
            var index = tensor(moved.ToArray(), device: aligned.device);
            aligned.index_copy_(0, index, NeighbourAlignment.Resample(aligned.index_select(0, index), keyRegions, slotRegions));
        }

        var s = backbone.FeatureSize;
        var window = aligned.view(windows.Count, (2 * Radius) + 1, -1, s, s);
        return scope.MoveToOuter(Refine(window.narrow(2, 0, BackboneCache.FeatureChannels), window.narrow(2, BackboneCache.FeatureChannels, window.size(2) - BackboneCache.FeatureChannels)));
    }

    /// <summary>Windows [B, T, 3, S, S] cropped with the key frame's box (the papers' way) → keypoints [B, 17, 3] (x, y, score).</summary>
    public Tensor Predict(Tensor windows)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (windows.size(0), windows.size(1));
        var s = backbone.FeatureSize;
        var maps = RunBackbone(windows.reshape(b * t, 3, InputSize, InputSize)).view(b, t, -1, s, s);
        return scope.MoveToOuter(Refine(maps.narrow(2, 0, BackboneCache.FeatureChannels), maps.narrow(2, BackboneCache.FeatureChannels, maps.size(2) - BackboneCache.FeatureChannels)));
    }

    public void Dispose()
    {
        head.Dispose();
        backbone.Dispose();
    }
}
