using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Continuity;

/// <summary>
/// Multi-frame heatmap fusion (Section 3.4): the window's per-frame heatmaps H_{t−T} … H_{t+T} as
/// patch tokens, through alternating temporal self-attention (each patch position across the 2T+1
/// frames — the neighbours are already resampled onto the key crop, so a position is the same
/// place in every frame) and spatial self-attention (the patches of one frame); then the key frame's
/// tokens back to heatmaps and the heatmap head, a 3×3 conv that starts at zero, so H_t* = H_t at first.
/// <code>
/// H [B, T, J, 64, 64] → tokens [B, T, N, D]   N = (64 / 4)², 4×4 patches, spatial + temporal positions
///   depth × ( temporal block over [B·N, T, D],  spatial block over [B·T, N, D] )
/// key tokens [B, N, D] → Linear D → J·4·4 → [B, J, 64, 64] → 3×3 conv → + H_t → H_t*
/// </code>
/// </summary>
public sealed class MultiFrameHeatmapFusion : nn.Module<Tensor, Tensor>
{
    private readonly PatchEmbedding embedding;
    private readonly ModuleList<TransformerBlock> temporal;
    private readonly ModuleList<TransformerBlock> spatial;
    private readonly LayerNorm norm;
    private readonly Linear unpatch;
    private readonly Conv2d head;
    private readonly int radius;
    private readonly int joints;
    private readonly int patch;

    public MultiFrameHeatmapFusion(string name, int joints, int width, int heads, int patch, int grid, int radius, int depth)
        : base(name)
    {
        (this.radius, this.joints, this.patch) = (radius, joints, patch);
        embedding = new PatchEmbedding("embedding", joints, width, patch, grid, (2 * radius) + 1);
        temporal = TransformerStack.Create("temporal", depth, width, heads);
        spatial = TransformerStack.Create("spatial", depth, width, heads);
        norm = nn.LayerNorm(width);
        unpatch = nn.Linear(width, joints * patch * patch);
        head = ZeroStart.Layer(nn.Conv2d(joints, joints, 3, padding: 1));

        RegisterComponents();
    }

    /// <summary>Per-frame heatmaps [B, T, J, h, w] → the key frame's fused heatmaps H_t* [B, J, h, w].</summary>
    public override Tensor forward(Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (heatmaps.size(0), heatmaps.size(1));
        var x = embedding.call(embedding.Embed(heatmaps)); // [B, T, N, D]
        var (n, d) = (x.size(2), x.size(3));
        for (var layer = 0; layer < temporal.Count; layer++)
        {
            var across = temporal[layer].call(x.permute(0, 2, 1, 3).reshape(b * n, t, d)); // [B·N, T, D]
            x = across.view(b, n, t, d).permute(0, 2, 1, 3).reshape(b * t, n, d);
            x = spatial[layer].call(x).view(b, t, n, d);                                   // [B, T, N, D]
        }

        var maps = Patches.ToMaps(unpatch.call(norm.call(x.select(1, radius))), joints, patch); // [B, N, J·p·p] → [B, J, h, w]
        return (heatmaps.select(1, radius) + head.call(maps)).MoveToOuterDisposeScope();
    }
}
