using Pipeline.Stages.Imaging;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

/// <summary>An independent crop: libtorch's affine_grid + grid_sample of a whole frame [1, C, H, W] (float) onto a region.</summary>
internal static class GridSampleReference
{
    /// <summary>affine_grid (align_corners = false) maps output pixel centres onto [-1, 1], mapped onto the region's edges.</summary>
    public static Tensor Crop(Tensor frame, BoundingBox r, int size)
    {
        var (height, width) = (frame.size(2), frame.size(3));
        var theta = tensor(new float[] { r.Width / width, 0, ((r.X1 + r.X2) / width) - 1, 0, r.Height / height, ((r.Y1 + r.Y2) / height) - 1 }, [1, 2, 3]);
        var grid = nn.functional.affine_grid(theta, [1, frame.size(1), size, size], align_corners: false);
        return nn.functional.grid_sample(frame, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
    }
}
