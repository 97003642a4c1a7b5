using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Continuity;

/// <summary>
/// A(·, S) of Eq. 4: the aligned heatmaps warped by the affine matrix S — output pixel u samples the
/// input at S·(u, 1) in affine_grid's normalised coordinates (−1 … 1 across the map, align_corners
/// false), bilinearly, zero outside. Also used to rotate and scale features for the spatial-consistency loss.
/// </summary>
public static class AffineTransform
{
    /// <summary>Maps [S, C, h, w] warped by matrices [S, 2, 3] → [S, C, h, w]. Differentiable in both.</summary>
    public static Tensor Apply(Tensor maps, Tensor theta)
    {
        using var scope = NewDisposeScope();
        var grid = nn.functional.affine_grid(theta.to(maps.dtype), [maps.size(0), maps.size(1), maps.size(2), maps.size(3)], align_corners: false);
        return nn.functional.grid_sample(maps, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="count"/> random rotations by up to ±<paramref name="maxDegrees"/> and scalings by
    /// 1 ± <paramref name="maxScale"/>, drawn from <paramref name="draw"/> (the trainer's step-seeded
    /// stream, so a resumed run draws the same), as matrices [count, 2, 3].
    /// </summary>
    public static Tensor RandomRotationScale(Random draw, int count, double maxDegrees = 30, double maxScale = 0.25, Device? device = null)
    {
        var theta = new float[count * 6];
        for (var i = 0; i < count; i++)
        {
            var angle = (draw.NextDouble() * 2 - 1) * maxDegrees * Math.PI / 180;
            var scale = 1 + ((draw.NextDouble() * 2) - 1) * maxScale;
            var (cos, sin) = (Math.Cos(angle) / scale, Math.Sin(angle) / scale);
            theta[(i * 6) + 0] = (float)cos;
            theta[(i * 6) + 1] = (float)-sin;
            theta[(i * 6) + 3] = (float)sin;
            theta[(i * 6) + 4] = (float)cos;
        }

        return tensor(theta, [count, 2, 3], device: device);
    }
}
