using static TorchSharp.torch;

namespace Pipeline.Stages.Imaging;

/// <summary>Conversions between images and torch tensors, and batched crops with torch ops on the model's device.</summary>
public static class ImageTensors
{
    /// <summary>Stacks same-size images into a float32 [N, 3, H, W] tensor with values 0–255.</summary>
    public static Tensor ToBatch(IReadOnlyList<RgbImage> images, Device? device = null)
    {
        if (images.Count == 0)
        {
            throw new ArgumentException("no images to batch", nameof(images));
        }

        var (w, h) = (images[0].Width, images[0].Height);
        var bytes = new byte[images.Count * w * h * 3];
        for (var i = 0; i < images.Count; i++)
        {
            if (images[i].Width != w || images[i].Height != h)
            {
                throw new ArgumentException($"image {i} is {images[i].Width}x{images[i].Height}, the first is {w}x{h}: a batch needs one size");
            }

            images[i].Pixels.CopyTo(bytes, i * w * h * 3);
        }

        using var scope = NewDisposeScope();
        var hwc = tensor(bytes, [images.Count, h, w, 3], device: device);
        return scope.MoveToOuter(hwc.permute(0, 3, 1, 2).to(float32).contiguous());
    }

    /// <summary>
    /// Crops <paramref name="regions"/> out of <paramref name="frames"/> [F, C, H, W] and resizes each to
    /// <paramref name="height"/> x <paramref name="width"/> with bilinear sampling at pixel centres
    /// (TF's half-pixel convention, as the models' own resize ops); outside the frame is black.
    /// <paramref name="frameIndex"/>[i] names the frame region i is cut from. Returns [N, C, height, width].
    /// </summary>
    public static Tensor CropAndResize(Tensor frames, IReadOnlyList<BoundingBox> regions, IReadOnlyList<int> frameIndex, int height, int width)
    {
        if (regions.Count != frameIndex.Count || regions.Count == 0)
        {
            throw new ArgumentException("give one frame index per region, and at least one region");
        }

        var frameHeight = frames.size(2);
        var frameWidth = frames.size(3);
        // affine_grid (align_corners = false) maps output pixel centres onto [-1, 1]; we map [-1, 1]
        // onto the region's edges in the frame's normalised coordinates: x' = a·x + b.
        var theta = new float[regions.Count * 6];
        for (var i = 0; i < regions.Count; i++)
        {
            var r = regions[i];
            var ax = r.Width / frameWidth;
            var bx = ((r.X1 + r.X2) / frameWidth) - 1;
            var ay = r.Height / frameHeight;
            var by = ((r.Y1 + r.Y2) / frameHeight) - 1;
            theta[(i * 6) + 0] = (float)ax;
            theta[(i * 6) + 2] = (float)bx;
            theta[(i * 6) + 4] = (float)ay;
            theta[(i * 6) + 5] = (float)by;
        }

        using var scope = NewDisposeScope();
        var device = frames.device;
        var thetaTensor = tensor(theta, [regions.Count, 2, 3], device: device);
        var grid = nn.functional.affine_grid(thetaTensor, [regions.Count, frames.size(1), height, width], align_corners: false);
        var indexTensor = tensor(frameIndex.Select(i => (long)i).ToArray(), device: device);
        var sources = frames.index_select(0, indexTensor);
        var crops = nn.functional.grid_sample(sources, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        return scope.MoveToOuter(crops);
    }
}
