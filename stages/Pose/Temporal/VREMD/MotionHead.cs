using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// H_m: the motion M and the key frame's tokens X_t merged (linear, 2D → D), up-sampled from the token
/// grid to the heatmaps' (a 1×1 conv to patch² × 16 channels, then pixel shuffle: the patch embedding's
/// inverse), joined by the key frame's own stride-4 features, and a 3×3 conv to the joints' heatmaps,
/// which starts at zero.
/// </summary>
public sealed class MotionHead : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private const int UpsampledChannels = 16;

    private readonly Linear merge;
    private readonly Conv2d expand;
    private readonly Conv2d head;
    private readonly int patch;
    private readonly int grid;

    public MotionHead(string name, int width, int channels, int joints, int patch, int grid)
        : base(name)
    {
        (this.patch, this.grid) = (patch, grid);
        merge = nn.Linear(2 * width, width);
        expand = nn.Conv2d(width, UpsampledChannels * patch * patch, 1);
        head = nn.Conv2d(UpsampledChannels + channels, joints, 3, padding: 1);
        using (no_grad())
        {
            head.weight!.zero_();
            head.bias!.zero_();
        }

        RegisterComponents();
    }

    /// <summary>M [B, N, D], X_t [B, N, D], the key frame's features [B, C, h, w] → heatmaps [B, J, h, w].</summary>
    public override Tensor forward(Tensor motion, Tensor keyTokens, Tensor keyFeatures)
    {
        using var scope = NewDisposeScope();
        var b = motion.size(0);
        var merged = merge.call(cat([motion, keyTokens], -1)).transpose(1, 2).reshape(b, -1, grid, grid);
        var upsampled = nn.functional.pixel_shuffle(expand.call(merged), patch); // [B, 16, h, w]
        return head.call(cat([upsampled, keyFeatures], 1)).MoveToOuterDisposeScope();
    }
}
