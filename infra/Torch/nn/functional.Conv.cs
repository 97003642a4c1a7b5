using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class nn
    {
        // Convolutions and linear layers. Pairs are (height, width).
        public static partial class functional
        {
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, long groups = 1) =>
                Tensor.Wrap(ts_conv2d(input.Handle, weight.Handle, Tensor.HandleOf(bias), Pair(stride, 1), Pair(padding, 0), Pair(dilation, 1), groups, out var r), r);

            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                Tensor.Wrap(ts_conv1d(input.Handle, weight.Handle, Tensor.HandleOf(bias), stride, padding, dilation, groups, out var r), r);

            public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, (long, long)? stride = null, (long, long)? padding = null, (long, long)? output_padding = null, long groups = 1, (long, long)? dilation = null) =>
                Tensor.Wrap(ts_conv_transpose2d(input.Handle, weight.Handle, Tensor.HandleOf(bias), Pair(stride, 1), Pair(padding, 0), Pair(output_padding, 0), groups, Pair(dilation, 1), out var r), r);

            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) =>
                Tensor.Wrap(ts_linear(input.Handle, weight.Handle, Tensor.HandleOf(bias), out var r), r);

            /// <summary>
            /// Modulated deformable convolution (DCNv2; torchvision.ops.deform_conv2d semantics).
            /// <paramref name="offset"/>: [N, 2·dg·kh·kw, Ho, Wo] holding (dy, dx) per kernel tap;
            /// <paramref name="mask"/>: [N, dg·kh·kw, Ho, Wo], or null for plain DCNv1. Bilinear sampling, zeros outside.
            /// </summary>
            public static Tensor deform_conv2d(Tensor input, Tensor offset, Tensor weight, Tensor? bias = null, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, Tensor? mask = null, long groups = 1, long deform_groups = 1) =>
                Tensor.Wrap(ts_deform_conv2d(input.Handle, weight.Handle, offset.Handle, Tensor.HandleOf(mask), Tensor.HandleOf(bias), Pair(stride, 1), Pair(padding, 0), Pair(dilation, 1), groups, deform_groups, out var r), r);

            internal static long[] Pair((long, long)? value, long fallback) =>
                value is { } v ? [v.Item1, v.Item2] : [fallback, fallback];
        }
    }
}
