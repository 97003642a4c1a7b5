using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.FaSRnet;

/// <summary>
/// FaSRnet (seed 002: "a feature and semantics refinement network for human pose estimation";
/// official code Elvis-Aron/FaSRnet), frames t−1, t, t+1, on MoveNet Thunder's stride-4 map:
/// <code>
/// F_{t−1}^a = pcda_p(F_t, F_{t−1});  F_{t+1}^a = pcda_n(F_t, F_{t+1})     feature alignment (§3.1.1)
/// F_t^final = TSA_Fusion(F_t, F_{t−1}^a, F_{t+1}^a)                        attention fusion (§3.1.2)
/// H_t^r = H_t + final_layer(F_t^final)                                      1×1 conv to J heatmaps
/// H_t^final = hm_improve(H_t^r, H_{t−1}, H_{t+1})                          semantics refinement (§3.2)
/// loss = 0.4·L(H_t^r) + 0.6·L(H_t^final)                                    (17–19), L the weighted MSE
/// </code>
/// Widths follow the backbone: C = 24 feature channels (HRNet-W48 has 48), J = 17 heatmaps at 64².
/// Deviations from paper and code (README, "Temporal models"): H_t^r adds the key frame's own
/// heatmaps (final_layer starts at zero, so training starts from the backbone's answer); offset
/// features W = 8 and attention embeddings 12 wide, Eq. 1's O_0 computed once per neighbour as the
/// paper writes it (the code recomputes it per branch), and one offset group in the refinement DCN —
/// and a 1×1 fusion conv as EDVR's — all to stay under the 1.2 GFLOP budget per window (1.105 measured by
/// <see cref="FlopCounter"/>); the alignment DCNs sample the neighbour (the
/// paper's Eq. 3; the code samples F_t); no padding bug of the code's dilated offset convs.
/// <para>
/// <c>fasrnet-s8</c> is the same network with both feature alignments run at stride 8: F_t and the
/// neighbours average-pooled to 32² (<see cref="HalfResolution"/>), the aligned neighbours up-sampled
/// back to 64² before the fusion, everything else as above. Eight of its nine DCNs run at a quarter
/// of the positions, for the end-to-end time the issue allows (measured: README, "Temporal models").
/// </para>
/// </summary>
public sealed class FaSRnet : TemporalHead
{
    public const string ModelName = "fasrnet";
    public const string Stride8Name = "fasrnet-s8";

    private readonly FeatureAlignment pcda_p;
    private readonly FeatureAlignment pcda_n;
    private readonly AttentionFusion TSA_Fusion;
    private readonly Conv2d final_layer;
    private readonly SemanticsRefinement hm_improve;
    private readonly bool alignAtStride8;

    public FaSRnet(int channels = 24, int joints = 17, int offsetWidth = 8, int embedWidth = 12, bool alignAtStride8 = false)
        : base(alignAtStride8 ? Stride8Name : ModelName, radius: 1, channels, joints)
    {
        this.alignAtStride8 = alignAtStride8;
        pcda_p = new FeatureAlignment("pcda_p", channels, offsetWidth);
        pcda_n = new FeatureAlignment("pcda_n", channels, offsetWidth);
        TSA_Fusion = new AttentionFusion("TSA_Fusion", channels, embedWidth);
        final_layer = nn.Conv2d(channels, joints, 1);
        hm_improve = new SemanticsRefinement("hm_improve", joints);
        using (no_grad())
        {
            final_layer.weight!.zero_();
            final_layer.bias!.zero_();
        }

        RegisterComponents();
    }

    /// <summary>Features [B, 3, C, h, w] and heatmaps [B, 3, J, h, w] of t−1, t, t+1 → H_t^final (with H_t^r for the loss).</summary>
    public override TemporalOutput forward(Tensor features, Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        var (fPrevious, fKey, fNext) = (At(features, -1), Key(features), At(features, 1));
        var (hPrevious, hKey, hNext) = (At(heatmaps, -1), Key(heatmaps), At(heatmaps, 1));
        var alignmentKey = alignAtStride8 ? HalfResolution.Down(fKey) : fKey;
        var alignedPrevious = Aligned(pcda_p, alignmentKey, fPrevious, fKey);
        var alignedNext = Aligned(pcda_n, alignmentKey, fNext, fKey);
        var fused = TSA_Fusion.call(fKey, alignedPrevious, alignedNext);
        var refined = hKey + final_layer.call(fused);
        var final = hm_improve.call(refined, hPrevious, hNext);
        return new TemporalOutput(final.MoveToOuterDisposeScope(), [refined.MoveToOuterDisposeScope()]);
    }

    /// <summary>F_{t+i}^a [B, C, h, w]: at the backbone's 64², or at 32² (the key already pooled) and up-sampled back to <paramref name="fullKey"/>'s size (<c>fasrnet-s8</c>).</summary>
    private Tensor Aligned(FeatureAlignment alignment, Tensor alignmentKey, Tensor auxiliary, Tensor fullKey) =>
        alignAtStride8
            ? HalfResolution.Up(alignment.call(alignmentKey, HalfResolution.Down(auxiliary)), fullKey)
            : alignment.call(alignmentKey, auxiliary);

    /// <summary>α·L(H^r) + (1 − α)·L(H^final), α = 0.4 (Eq. 19).</summary>
    public override Tensor Loss(TemporalOutput output, Tensor targets, Tensor weights)
    {
        using var scope = NewDisposeScope();
        var loss = (0.4 * HeatmapTargets.WeightedMse(output.Intermediate[0], targets, weights)) + (0.6 * HeatmapTargets.WeightedMse(output.Heatmaps, targets, weights));
        return loss.MoveToOuterDisposeScope();
    }
}
