using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.DSA;

/// <summary>
/// DSA, dense symmetric temporal alignment (seed 000), frames t−2 … t+2 on MoveNet Thunder's stride-4 map:
/// <code>
/// F̂_n = GAB(F_t, F_n),  F̃_n = LEB(F̂_n, F_t)          for the four supporting frames n = t±1, t±2
/// F = fusion(F_t ⊕ F̃_{t−2} ⊕ F̃_{t−1} ⊕ F̃_{t+1} ⊕ F̃_{t+2})  1×1 (5C → C), residual blocks
/// H_t = H_t^backbone + head(F)                              3×3 conv to J heatmaps
/// loss = visibility-weighted L2 of H_t
/// </code>
/// One GAB and one LEB are shared by all supporting frames (the paper applies the same blocks to
/// each). Deviations (README, "Temporal models"): widths from the backbone (24 / 17); the U-Net's
/// depth (two levels) and widths, which the paper leaves open; one residual block in the fusion; the
/// head adds to the key frame's own heatmaps and starts at zero, so training starts from the backbone.
/// <para>
/// <c>dsa-s8</c> is the same network with the GAB and the LEB run at stride 8: the five frames'
/// features average-pooled to 32² (<see cref="HalfResolution"/>, the GAB's U-Net levels become 16² and
/// 8²), each F̃_n up-sampled back to 64² for the fusion with the full-resolution F_t; everything else
/// as above. The alignment then costs about a quarter (README, "Temporal models").
/// </para>
/// </summary>
public sealed class DSA : TemporalHead
{
    public const string ModelName = "dsa";
    public const string Stride8Name = "dsa-s8";

    private readonly GlobalAlignmentBlock GAB;
    private readonly LocalEnhancementBlock LEB;
    private readonly Conv2d fusion;
    private readonly Sequential residual;
    private readonly Conv2d head;
    private readonly bool alignAtStride8;

    public DSA(int channels = 24, int joints = 17, int alignmentWidth = 12, int enhancementWidth = 8, bool alignAtStride8 = false)
        : base(alignAtStride8 ? Stride8Name : ModelName, radius: 2, channels, joints)
    {
        this.alignAtStride8 = alignAtStride8;
        GAB = new GlobalAlignmentBlock("GAB", channels, alignmentWidth);
        LEB = new LocalEnhancementBlock("LEB", channels, enhancementWidth);
        fusion = nn.Conv2d(Window * channels, channels, 1);
        residual = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding: 1),
            nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding: 1));
        head = nn.Conv2d(channels, joints, 3, padding: 1);
        using (no_grad())
        {
            head.weight!.zero_();
            head.bias!.zero_();
        }

        RegisterComponents();
    }

    /// <summary>Features [B, 5, C, h, w] and heatmaps [B, 5, J, h, w] of t−2 … t+2 → H_t [B, J, h, w] (alignment at h/2 × w/2 for <c>dsa-s8</c>).</summary>
    public override TemporalOutput forward(Tensor features, Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        var key = Key(features);
        Tensor AlignmentScale(Tensor map) => alignAtStride8 ? HalfResolution.Down(map) : map;
        var alignmentKey = AlignmentScale(key);
        var pyramid = GAB.KeyPyramid(alignmentKey);
        var frames = new List<Tensor> { key };
        foreach (var offset in new[] { -2, -1, 1, 2 })
        {
            var enhanced = LEB.call(GAB.call(pyramid, AlignmentScale(At(features, offset))), alignmentKey);
            frames.Add(alignAtStride8 ? HalfResolution.Up(enhanced, key) : enhanced);
        }

        var fused = nn.functional.relu(fusion.call(cat(frames, 1)));
        fused = nn.functional.relu(fused + residual.call(fused));
        var output = Key(heatmaps) + head.call(fused);
        return new TemporalOutput(output.MoveToOuterDisposeScope(), []);
    }

    /// <summary>Visibility-weighted L2: the heatmap MSE with each joint weighted by the teacher's confidence.</summary>
    public override Tensor Loss(TemporalOutput output, Tensor targets, Tensor weights) =>
        HeatmapTargets.WeightedMse(output.Heatmaps, targets, weights);
}
