using Pipeline.Stages.Pose.Temporal.Tokens;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// VREMD, visual representation enhancement and motion disentanglement (seed 001), frames t−1, t, t+1
/// on MoveNet Thunder's stride-4 map:
/// <code>
/// E_δ = PatchEmbed(F_δ) [N, D],  X_δ = E_δ + P_s + P_t,δ         N = (64 / 4)² = 256 tokens, D = 64
/// F, T_k = HKME(X)         human mask (Eq. 1), keypoint mask (Eq. 2), spatial → temporal blocks, 3N → N
/// M = BMD(E, F)            M_f = E_{t+1} − E_t, M_b = E_{t−1} − E_t through ADC blocks, fused
/// H_t = H_t^backbone + H_k(T_k,t) + H_m(M, X_t, F_t)               equal weights
/// loss = visibility-weighted L2 of H_t
/// </code>
/// Deviations (README, "Temporal models"): tokens from the frozen MoveNet map instead of ViT-L's; the
/// sizes (D 64, 4 heads, one block per HKME stage, two ADC blocks per direction, 4 points per head),
/// which the paper leaves open; a sigmoid on the human mask; the output adds to the key frame's own
/// heatmaps and both heads start at zero, so training starts from the backbone. <c>withMotion: false</c>
/// is the paper's ablation without BMD (M = 0).
/// </summary>
public sealed class VREMD : TemporalHead
{
    public const string ModelName = "vremd";

    /// <summary>The ablation without BMD, trained and benched the same way.</summary>
    public const string WithoutMotionName = "vremd-no-bmd";

    private const int Patch = 4;
    private const int MapSize = 64;

    private readonly PatchEmbedding embedding;
    private readonly HKME hkme;
    private readonly BMD? bmd;
    private readonly KeypointHead keypointHead;
    private readonly MotionHead motionHead;
    private readonly int width;

    public VREMD(int channels = 24, int joints = 17, int width = 64, int heads = 4, int points = 4, bool withMotion = true)
        : base(withMotion ? ModelName : WithoutMotionName, radius: 1, channels, joints)
    {
        this.width = width;
        const int grid = MapSize / Patch;
        embedding = new PatchEmbedding("embedding", channels, width, Patch, grid, Window);
        hkme = new HKME("HKME", width, heads, Window, grid * grid, joints);
        bmd = withMotion ? new BMD("BMD", width, heads, points, grid, depth: 2) : null;
        keypointHead = new KeypointHead("H_k", width, hidden: 512, MapSize);
        motionHead = new MotionHead("H_m", width, channels, joints, Patch, grid);
        RegisterComponents();
    }

    /// <summary>Features [B, 3, C, 64, 64] and heatmaps [B, 3, J, 64, 64] of t−1, t, t+1 → H_t [B, J, 64, 64].</summary>
    public override TemporalOutput forward(Tensor features, Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        var embedded = embedding.Embed(features); // E [B, 3, N, D]
        var tokens = embedding.call(embedded);     // X [B, 3, N, D]
        var (enhanced, keypointTokens) = hkme.call(tokens);
        var motion = bmd?.call(embedded, enhanced) ?? zeros_like(enhanced);
        var output = Key(heatmaps) + keypointHead.call(keypointTokens) + motionHead.call(motion, Key(tokens), Key(features));
        return new TemporalOutput(output.MoveToOuterDisposeScope(), []);
    }

    /// <summary>The paper's heatmap L2 (here weighted by the target's visibility, as for DSA).</summary>
    public override Tensor Loss(TemporalOutput output, Tensor targets, Tensor weights) =>
        HeatmapTargets.WeightedMse(output.Heatmaps, targets, weights);
}
