using Pipeline.Stages.Imaging;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// Brings a neighbour frame's backbone maps into the key frame's crop. Each person-frame is cropped
/// once with its own (enlarged) box, so the neighbour's maps see a slightly different region than the
/// key frame's; both regions are known, so the change of coordinates is an affine map. In the
/// normalised coordinates of affine_grid / grid_sample (align_corners = false: −1 and +1 are a
/// region's edges), a point u of the key region K is the point
/// <c>uₙ = (w_K / w_N)·u + 2(c_K − c_N) / w_N</c> of the neighbour region N (per axis, c the centre),
/// sampled bilinearly; where N did not reach, the result is zero. The papers' way (every neighbour
/// cropped with the key box, the backbone run again) is the identity here.
/// </summary>
public static class NeighbourAlignment
{
    /// <summary>The affine matrices [N, 2, 3] that send the key regions' normalised coordinates to the neighbours'.</summary>
    public static Tensor Theta(IReadOnlyList<BoundingBox> keyRegions, IReadOnlyList<BoundingBox> neighbourRegions, Device? device = null)
    {
        if (keyRegions.Count != neighbourRegions.Count)
        {
            throw new ArgumentException($"one neighbour region per key region: {keyRegions.Count} vs {neighbourRegions.Count}");
        }

        var theta = new float[keyRegions.Count * 6];
        for (var i = 0; i < keyRegions.Count; i++)
        {
            var (k, n) = (keyRegions[i], neighbourRegions[i]);
            theta[(i * 6) + 0] = k.Width / n.Width;
            theta[(i * 6) + 2] = 2 * (k.CenterX - n.CenterX) / n.Width;
            theta[(i * 6) + 4] = k.Height / n.Height;
            theta[(i * 6) + 5] = 2 * (k.CenterY - n.CenterY) / n.Height;
        }

        return tensor(theta, [keyRegions.Count, 2, 3], device: device);
    }

    /// <summary>
    /// <paramref name="maps"/> [N, C, h, w] computed on <paramref name="neighbourRegions"/>, resampled onto
    /// <paramref name="keyRegions"/>: [N, C, h, w]. Differentiable (training runs through it).
    /// </summary>
    public static Tensor Resample(Tensor maps, IReadOnlyList<BoundingBox> keyRegions, IReadOnlyList<BoundingBox> neighbourRegions)
    {
        using var scope = NewDisposeScope();
        var theta = Theta(keyRegions, neighbourRegions, maps.device).to(maps.dtype);
        var grid = nn.functional.affine_grid(theta, [maps.size(0), maps.size(1), maps.size(2), maps.size(3)], align_corners: false);
        return nn.functional.grid_sample(maps, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).MoveToOuterDisposeScope();
    }
}
