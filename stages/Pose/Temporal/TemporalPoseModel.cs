using System.Security.Cryptography;
using Pipeline.Stages.Imaging;
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

    /// <summary>Crops [N, 3, S, S] (RGB 0–255) → features [N, 24, s, s] and sigmoid heatmaps [N, 17, s, s] on the model's device.</summary>
    public (Tensor Features, Tensor Heatmaps) RunBackbone(Tensor crops)
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        Interlocked.Add(ref backboneCrops, crops.size(0));
        using var heads = backbone.Forward(crops.to(Device).to(float32));
        return (scope.MoveToOuter(heads.Features.clone()), scope.MoveToOuter(heads.HeatmapLogits.sigmoid()));
    }

    /// <summary>Aligned windows — features [B, T, 24, s, s], heatmaps [B, T, 17, s, s] — → keypoints [B, 17, 3] as (x, y, score), crop-normalised.</summary>
    public Tensor Refine(Tensor features, Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        using var output = head.call(features, heatmaps);
        return scope.MoveToOuter(HeatmapDecoder.Decode(output.Heatmaps));
    }

    /// <summary>
    /// Windows given slot by slot — each slot t−δ … t+δ a person-frame's crop region and its backbone maps
    /// (features [24, s, s], heatmaps [17, s, s]), the key in the middle — with every slot resampled onto
    /// the key's crop, refined: keypoints [B, 17, 3] (x, y, score) normalised to the key crop.
    /// </summary>
    public Tensor RefineSlots(IReadOnlyList<IReadOnlyList<(BoundingBox Region, Tensor Features, Tensor Heatmaps)>> windows)
    {
        using var scope = NewDisposeScope();
        var maps = new List<Tensor>();
        var keyRegions = new List<BoundingBox>();
        var slotRegions = new List<BoundingBox>();
        foreach (var slots in windows)
        {
            if (slots.Count != (2 * Radius) + 1)
            {
                throw new ArgumentException($"{Name} takes windows of {(2 * Radius) + 1} frames, got {slots.Count}");
            }

            foreach (var (region, features, heatmaps) in slots)
            {
                maps.Add(cat([features, heatmaps], 0));
                keyRegions.Add(slots[Radius].Region);
                slotRegions.Add(region);
            }
        }

        var aligned = NeighbourAlignment.Resample(stack(maps), keyRegions, slotRegions);
        var channels = windows[0][0].Features.size(0);
        var s = backbone.FeatureSize;
        var window = aligned.view(windows.Count, (2 * Radius) + 1, -1, s, s);
        return scope.MoveToOuter(Refine(window.narrow(2, 0, channels), window.narrow(2, channels, window.size(2) - channels)));
    }

    /// <summary>Windows [B, T, 3, S, S] cropped with the key frame's box (the papers' way) → keypoints [B, 17, 3] (x, y, score).</summary>
    public Tensor Predict(Tensor windows)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (windows.size(0), windows.size(1));
        var (features, heatmaps) = RunBackbone(windows.reshape(b * t, 3, InputSize, InputSize));
        var s = backbone.FeatureSize;
        return scope.MoveToOuter(Refine(features.view(b, t, -1, s, s), heatmaps.view(b, t, -1, s, s)));
    }

    public void Dispose()
    {
        head.Dispose();
        backbone.Dispose();
    }
}
