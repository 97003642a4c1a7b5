using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    public enum InterpolationMode
    {
        Nearest = 0,
        Bilinear = 1,
        Bicubic = 2,
    }

    public enum GridSampleMode
    {
        Bilinear = 0,
        Nearest = 1,
        Bicubic = 2,
    }

    public enum GridSamplePaddingMode
    {
        Zeros = 0,
        Border = 1,
        Reflection = 2,
    }

    public enum PaddingModes
    {
        Constant = 0,
        Reflect = 1,
        Replicate = 2,
        Circular = 3,
    }

    public static partial class nn
    {
        // Pooling and resampling.
        public static partial class functional
        {
            public static Tensor max_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, bool ceil_mode = false) =>
                Tensor.Wrap(ts_max_pool2d(input.Handle, Pair(kernel_size, 0), stride is null ? Pair(kernel_size, 0) : Pair(stride, 1), Pair(padding, 0), Pair(dilation, 1), ceil_mode ? 1 : 0, out var r), r);

            public static Tensor avg_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true) =>
                Tensor.Wrap(ts_avg_pool2d(input.Handle, Pair(kernel_size, 0), stride is null ? Pair(kernel_size, 0) : Pair(stride, 1), Pair(padding, 0), ceil_mode ? 1 : 0, count_include_pad ? 1 : 0, out var r), r);

            public static Tensor adaptive_avg_pool2d(Tensor input, (long, long) output_size) =>
                Tensor.Wrap(ts_adaptive_avg_pool2d(input.Handle, Pair(output_size, 1), out var r), r);

            public static Tensor adaptive_max_pool2d(Tensor input, (long, long) output_size) =>
                Tensor.Wrap(ts_adaptive_max_pool2d(input.Handle, Pair(output_size, 1), out var r), r);

            /// <summary>Resizes [N, C, H, W] to <paramref name="size"/> or by <paramref name="scale_factor"/> (output = floor(input × scale)).</summary>
            public static Tensor interpolate(Tensor input, (long, long)? size = null, (double, double)? scale_factor = null, InterpolationMode mode = InterpolationMode.Nearest, bool align_corners = false)
            {
                if (size is null == scale_factor is null)
                {
                    throw new ArgumentException("interpolate: give exactly one of size and scale_factor");
                }

                double[]? scales = scale_factor is { } s ? [s.Item1, s.Item2] : null;
                long[]? sizes = size is { } z ? [z.Item1, z.Item2] : null;
                return Tensor.Wrap(ts_interpolate(input.Handle, sizes, scales, (int)mode, align_corners ? 1 : 0, out var r), r);
            }

            /// <summary>Pads the last dimensions; <paramref name="pad"/> lists (left, right, top, bottom, ...) as in PyTorch.</summary>
            public static Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Constant, double value = 0) =>
                Tensor.Wrap(ts_pad(input.Handle, pad, pad.Length, (int)mode, value, out var r), r);

            /// <summary>Sampling grid [N, H, W, 2] for the affine matrices <paramref name="theta"/> [N, 2, 3].</summary>
            public static Tensor affine_grid(Tensor theta, long[] size, bool align_corners = false) =>
                Tensor.Wrap(ts_affine_grid(theta.Handle, size, size.Length, align_corners ? 1 : 0, out var r), r);

            public static Tensor grid_sample(Tensor input, Tensor grid, GridSampleMode mode = GridSampleMode.Bilinear, GridSamplePaddingMode padding_mode = GridSamplePaddingMode.Zeros, bool align_corners = false) =>
                Tensor.Wrap(ts_grid_sample(input.Handle, grid.Handle, (int)mode, (int)padding_mode, align_corners ? 1 : 0, out var r), r);

            public static Tensor pixel_shuffle(Tensor input, long upscale_factor) => Tensor.Wrap(ts_pixel_shuffle(input.Handle, upscale_factor, out var r), r);
        }
    }
}
