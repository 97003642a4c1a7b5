using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// The stride-8 variants' way down to half the backbone's map and back (<c>fasrnet-s8</c>, <c>dsa-s8</c>):
/// 2×2 average pooling, which has no weights (so the variants keep their paper's parameters one for
/// one) and keeps a constant map constant; and bilinear up-sampling to the full map's size.
/// Alignment at 32² costs about a quarter of what it costs at 64² (README, "Temporal models").
/// DSA's GAB climbs its U-Net with the same <see cref="Up"/>.
/// </summary>
public static class HalfResolution
{
    /// <summary>[N, C, h, w] → [N, C, h/2, w/2].</summary>
    public static Tensor Down(Tensor map) => nn.functional.avg_pool2d(map, 2);

    /// <summary>[N, C, h', w'] → [N, C, h, w] of <paramref name="like"/>.</summary>
    public static Tensor Up(Tensor map, Tensor like) =>
        nn.functional.interpolate(map, [like.size(2), like.size(3)], mode: InterpolationMode.Bilinear, align_corners: false);
}
