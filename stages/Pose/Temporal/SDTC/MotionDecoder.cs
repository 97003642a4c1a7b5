using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>
/// MLSME's motion decoder, at training time only: two multi-head self-attention layers over the
/// hybrid-masked features R^P_fm (all T·L tokens), then separate MLP heads that recover the feature
/// contexts F̂ (each token's patch of backbone features) and the pose sequence Ĥ (each token's patch of
/// heatmaps) for the masked locations and frames (Eq. 15).
/// </summary>
public sealed class MotionDecoder : nn.Module<Tensor, (Tensor Contexts, Tensor Heatmaps)>
{
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly Sequential contextHead;
    private readonly Sequential poseHead;
    private readonly int joints;
    private readonly int patch;

    public MotionDecoder(string name, int width, int heads, int channels, int joints, int patch)
        : base(name)
    {
        (this.joints, this.patch) = (joints, patch);
        blocks = TransformerStack.Create("MHSA", 2, width, heads);
        contextHead = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, channels * patch * patch));
        // Start from empty heatmaps: random ones cost 40× the key frame's loss at the start (measured on the sample) and swamp it.
        poseHead = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 2 * width), nn.GELU(), ZeroStart.Layer(nn.Linear(2 * width, joints * patch * patch)));
        RegisterComponents();
    }

    /// <summary>R^P_fm [B, T, L, D] → contexts [B, T, L, C·p·p] and heatmaps [B, T, J, h, w].</summary>
    public override (Tensor Contexts, Tensor Heatmaps) forward(Tensor masked)
    {
        using var scope = NewDisposeScope();
        var (b, t, l, d) = (masked.size(0), masked.size(1), masked.size(2), masked.size(3));
        var x = blocks.Through(masked.reshape(b, t * l, d)).view(b * t, l, d);
        var contexts = contextHead.call(x).view(b, t, l, -1);
        var heatmaps = Patches.ToMaps(poseHead.call(x), joints, patch);
        return (contexts.MoveToOuterDisposeScope(), heatmaps.view(b, t, joints, heatmaps.size(2), heatmaps.size(3)).MoveToOuterDisposeScope());
    }
}
