using Pipeline.Stages.Pose.Temporal.Tokens;
using Pipeline.Stages.Pose.Temporal.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>
/// SDTC, semantical dynamics and spatio-temporal collaboration (seed 004), frames t−2 … t+2 on MoveNet
/// Thunder's stride-4 map:
/// <code>
/// R = FeatureEmbedding(F)             [B, 5, L, D], 8×8 patches of the 64² map: L = 64 tokens per frame, D = 64
/// M = MLSME(R)                        tube masking (50 %) → patch-level encoder → frame masking (one frame) → frame-level encoder; R^P + R^F
/// F = SMML(R, M)                      [B, C, 8, 8], C = 64
/// H_t = H_t^backbone + head(F)        3×3 conv to J × 8 × 8 values per cell, back to 64² (the embedding's inverse)
/// L = L_H + λ·L1(F̂, features | masked) + L2(Ĥ, targets | masked frames),  λ = 0.01 (Eqs. 14–16)
/// </code>
/// Masking and the motion decoder run only in <see cref="TrainingForward"/> in training mode;
/// <c>withMasking: false</c> is the ablation without MLSME's masking (and so without reconstruction).
/// </summary>
public sealed class SDTC : TemporalHead
{
    public const string ModelName = "sdtc";

    /// <summary>The ablation without MLSME's masked reconstruction, trained and benched the same way.</summary>
    public const string WithoutMaskingName = "sdtc-no-masking";

    /// <summary>λ of Eq. 15, the context reconstruction's weight.</summary>
    public const double ContextWeight = 0.01;

    /// <summary>The tube-masking ratio (the paper's 50 %).</summary>
    public const double TubeRatio = 0.5;

    /// <summary>Frames hidden per window by frame masking (the paper does not give its ratio).</summary>
    public const int MaskedFrames = 1;

    private const int Patch = 8;
    private const int MapSize = 64;

    private readonly FeatureEmbedding embedding;
    private readonly MLSME mlsme;
    private readonly SMML smml;
    private readonly Conv2d head;
    private readonly bool withMasking;

    public SDTC(int channels = 24, int joints = 17, int width = 64, int heads = 4, int fused = 64, bool withMasking = true)
        : base(withMasking ? ModelName : WithoutMaskingName, radius: 2, channels, joints)
    {
        this.withMasking = withMasking;
        const int grid = MapSize / Patch;
        embedding = new FeatureEmbedding("embedding", channels, width, Patch, grid, Window);
        mlsme = new MLSME("MLSME", width, heads, channels, joints, Patch);
        smml = new SMML("SMML", width, Window, fused, grid);
        head = ZeroStart.Layer(nn.Conv2d(fused, joints * Patch * Patch, 3, padding: 1));

        RegisterComponents();
    }

    /// <summary>Features [B, 5, C, 64, 64] and heatmaps [B, 5, J, 64, 64] of t−2 … t+2 → H_t [B, J, 64, 64]; nothing masked.</summary>
    public override TemporalOutput forward(Tensor features, Tensor heatmaps) => Run(features, heatmaps, null, null);

    /// <summary>In training mode, with tube and frame masks drawn from the step's stream; the output carries the reconstructions and the masks.</summary>
    public override TemporalOutput TrainingForward(WindowBatch batch, Random draw)
    {
        if (!withMasking || !training)
        {
            return call(batch.Features, batch.Heatmaps);
        }

        var (b, device) = ((int)batch.Features.size(0), batch.Features.device);
        using var tube = Masking.Tube(draw, b, (MapSize / Patch) * (MapSize / Patch), TubeRatio, device);
        using var frames = Masking.Frames(draw, b, Window, MaskedFrames, device);
        return Run(batch.Features, batch.Heatmaps, tube, frames);
    }

    private TemporalOutput Run(Tensor features, Tensor heatmaps, Tensor? tubeKeep, Tensor? frameKeep)
    {
        using var scope = NewDisposeScope();
        var tokens = embedding.call(embedding.Embed(features)); // R [B, T, L, D]
        var motion = mlsme.call(tokens, tubeKeep, frameKeep);
        var fused = smml.call(tokens, motion.Motion);            // F [B, C, g, g]
        var cells = head.call(fused).flatten(2).transpose(1, 2); // [B, L, J·p·p]
        var output = Key(heatmaps) + Patches.ToMaps(cells, Joints, Patch);
        var intermediate = motion.Contexts is { } contexts && motion.Heatmaps is { } reconstructed
            ? new[] { contexts, reconstructed, tubeKeep!.clone(), frameKeep!.clone() }.Select(t => t.MoveToOuterDisposeScope()).ToList()
            : [];
        return new TemporalOutput(output.MoveToOuterDisposeScope(), intermediate);
    }

    /// <summary>L_H (Eq. 14), the key frame's heatmap L2, visibility-weighted: what validation reports.</summary>
    public override Tensor Loss(TemporalOutput output, Tensor targets, Tensor weights) =>
        HeatmapTargets.WeightedMse(output.Heatmaps, targets, weights);

    /// <summary>L_total = L_H + L_Rec (Eqs. 15–16) when the output carries reconstructions; L_H alone otherwise.</summary>
    public override Tensor TrainingLoss(TemporalOutput output, WindowBatch batch, Random draw)
    {
        using var scope = NewDisposeScope();
        var loss = Loss(output, batch.Targets, batch.Weights);
        if (output.Intermediate.Count == 4)
        {
            var (context, pose) = ReconstructionLosses(output.Intermediate[0], output.Intermediate[1], output.Intermediate[2], output.Intermediate[3], batch.Features, batch.SlotKeypoints);
            loss = loss + (ContextWeight * context) + pose;
        }

        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Eq. 15's two terms: the mean absolute error of the reconstructed contexts [B, T, L, C·p·p] against
    /// the backbone's features [B, T, C, h, w], over the tokens hidden by both masks (M̂_c·M̂_f), and the
    /// visibility-weighted heatmap L2 of the reconstructed poses [B, T, J, h, w] against each slot's target
    /// (slot keypoints [B, T, J, 3]), over the hidden frames.
    /// </summary>
    public static (Tensor Context, Tensor Pose) ReconstructionLosses(Tensor contexts, Tensor poses, Tensor tubeKeep, Tensor frameKeep, Tensor features, Tensor slotKeypoints)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (features.size(0), features.size(1));
        var patch = (int)Math.Round(Math.Sqrt(contexts.size(3) / features.size(2)));
        var target = Patches.FromMaps(features.flatten(0, 1), patch).view(contexts.shape);
        var hidden = (1 - tubeKeep) * (1 - frameKeep);                    // [B, T, L, 1]
        var context = ((contexts - target).abs() * hidden).sum() / (hidden.sum() * contexts.size(3)).clamp_min(1);

        var hiddenFrames = (1 - frameKeep).view(b * t, 1);                // [B·T, 1]
        var (targets, weights) = HeatmapTargets.Gaussian(slotKeypoints.flatten(0, 1), (int)poses.size(3));
        var pose = HeatmapTargets.WeightedMse(poses.flatten(0, 1), targets, weights * hiddenFrames) * (b * t) / hiddenFrames.sum().clamp_min(1);
        return (context.MoveToOuterDisposeScope(), pose.MoveToOuterDisposeScope());
    }
}
