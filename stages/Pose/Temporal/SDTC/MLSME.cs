using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>What MLSME hands on: the motion representation, and at training time the decoder's reconstructions.</summary>
public sealed record MotionFeatures(Tensor Motion, Tensor? Contexts, Tensor? Heatmaps);

/// <summary>
/// The multi-level semantic motion encoder (Section 3.1):
/// <code>
/// R_m   = M_c·R + (1 − M_c)·L_c           random tube masking (training only; ratio 50 %)
/// R^P   = PatchLevelEncoder(R_m)
/// R^P_fm = M_f·R^P + (1 − M_f)·L_f        random frame masking (training only)
/// R^F   = FrameLevelEncoder(R^P_fm)
/// M     = R^P + R^F                        (Eq. 5)
/// F̂, Ĥ  = MotionDecoder(R^P_fm)           (training only)
/// </code>
/// Without masks (evaluation, or the ablation) nothing is masked and nothing is reconstructed.
/// </summary>
public sealed class MLSME : nn.Module<Tensor, Tensor?, Tensor?, MotionFeatures>
{
    private readonly Parameter tubeToken;
    private readonly Parameter frameToken;
    private readonly MotionEncoder patchLevel;
    private readonly MotionEncoder frameLevel;
    private readonly MotionDecoder decoder;

    public MLSME(string name, int width, int heads, int channels, int joints, int patch)
        : base(name)
    {
        tubeToken = nn.Parameter(zeros(width));
        frameToken = nn.Parameter(zeros(width));
        patchLevel = new MotionEncoder("patch_level", width, heads);
        frameLevel = new MotionEncoder("frame_level", width, heads);
        decoder = new MotionDecoder("decoder", width, heads, channels, joints, patch);
        RegisterComponents();
    }

    /// <summary>Tokens R [B, T, L, D], tube mask [B, 1, L, 1] and frame mask [B, T, 1, 1] (1 = kept; null = none) → M [B, T, L, D] and reconstructions.</summary>
    public override MotionFeatures forward(Tensor tokens, Tensor? tubeKeep, Tensor? frameKeep)
    {
        using var scope = NewDisposeScope();
        var patchMotion = patchLevel.call(tubeKeep is null ? tokens : Masking.Apply(tokens, tubeKeep, tubeToken));
        var frameMasked = frameKeep is null ? patchMotion : Masking.Apply(patchMotion, frameKeep, frameToken);
        var motion = patchMotion + frameLevel.call(frameMasked);
        if (tubeKeep is null && frameKeep is null)
        {
            return new MotionFeatures(motion.MoveToOuterDisposeScope(), null, null);
        }

        var (contexts, heatmaps) = decoder.call(frameMasked);
        return new MotionFeatures(motion.MoveToOuterDisposeScope(), contexts.MoveToOuterDisposeScope(), heatmaps.MoveToOuterDisposeScope());
    }
}
