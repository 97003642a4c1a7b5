using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// HKME, human-keypoint mask enhancement: the human mask (Eq. 1), the keypoint mask (Eq. 2), the
/// decoupled spatio-temporal transformer and the 3N → N token MLP. Returns the enhanced key-frame
/// representation F [B, N, D] and the key frame's keypoint tokens [B, J, D] (for the keypoint head).
/// </summary>
public sealed class HKME : nn.Module<Tensor, (Tensor Enhanced, Tensor KeyKeypointTokens)>
{
    private readonly HumanMask human;
    private readonly KeypointMask keypoint;
    private readonly SpatioTemporalAggregation aggregation;
    private readonly TokenReduction reduction;
    private readonly int radius;

    public HKME(string name, int width, int heads, int frames, int tokens, int joints)
        : base(name)
    {
        radius = frames / 2;
        human = new HumanMask("human", width, heads, frames, depth: 1);
        keypoint = new KeypointMask("keypoint", width, heads, frames, joints, depth: 1);
        aggregation = new SpatioTemporalAggregation("aggregation", width, heads, spatialDepth: 1, temporalDepth: 1);
        reduction = new TokenReduction("reduction", frames * tokens, tokens);
        RegisterComponents();
    }

    /// <summary>Tokens X [B, T, N, D] (with positions) → F [B, N, D], T_k of the key frame [B, J, D].</summary>
    public override (Tensor Enhanced, Tensor KeyKeypointTokens) forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (masked, keypointTokens) = keypoint.call(human.call(tokens));
        var enhanced = reduction.call(aggregation.call(masked));
        return (enhanced.MoveToOuterDisposeScope(), keypointTokens.select(1, radius).MoveToOuterDisposeScope());
    }
}
