using static TorchSharp.torch;

namespace Pipeline.Tfjs.Ops;

/// <summary>ResizeBilinear and pooling on NHWC tensors (viewed as channels-last NCHW for libtorch).</summary>
internal static class ResamplingOps
{
    public static Tensor[] ResizeBilinear(OpCall call)
    {
        var a = call.Attributes;
        var alignCorners = a.Bool("align_corners");
        if (!alignCorners && !a.Bool("half_pixel_centers"))
        {
            // TF's legacy mapping (src = dst · scale) has no libtorch equivalent.
            throw new NotSupportedException("ResizeBilinear without half_pixel_centers or align_corners");
        }

        var size = call.Longs(1);
        using var nchw = call.Inputs[0].permute(0, 3, 1, 2);
        using var resized = nn.functional.interpolate(nchw, size: [size[0], size[1]], mode: InterpolationMode.Bilinear, align_corners: alignCorners);
        return [resized.permute(0, 2, 3, 1)];
    }

    // ksize and strides are NHWC; returns the NCHW view and TF's padding for it.
    private static (Tensor Nchw, (long, long) Kernel, (long, long) Stride, Padding.Pads Pads, bool Symmetric) PoolGeometry(OpCall call)
    {
        var k = call.Attributes.Ints("ksize");
        var s = call.Attributes.Ints("strides");
        var nchw = call.Inputs[0].permute(0, 3, 1, 2);
        var (pads, symmetric) = Padding.For(call.Attributes, nchw.size(2), nchw.size(3), (k[1], k[2]), (s[1], s[2]), (1, 1));
        return (nchw, (k[1], k[2]), (s[1], s[2]), pads, symmetric);
    }

    public static Tensor[] MaxPool(OpCall call)
    {
        var (view, kernel, stride, pads, _) = PoolGeometry(call);
        using var nchw = view;
        // SAME max pooling ignores the padded positions: pad with -inf.
        using var padded = pads == default ? nchw.alias() : nn.functional.pad(nchw, [pads.Left, pads.Right, pads.Top, pads.Bottom], value: double.NegativeInfinity);
        using var pooled = nn.functional.max_pool2d(padded, kernel, stride);
        return [pooled.permute(0, 2, 3, 1)];
    }

    public static Tensor[] AvgPool(OpCall call)
    {
        var (view, kernel, stride, pads, symmetric) = PoolGeometry(call);
        using var nchw = view;
        if (!symmetric)
        {
            throw new NotSupportedException("AvgPool with asymmetric SAME padding");
        }

        // TF averages over the valid (unpadded) positions only.
        using var pooled = nn.functional.avg_pool2d(nchw, kernel, stride, (pads.Top, pads.Left), count_include_pad: false);
        return [pooled.permute(0, 2, 3, 1)];
    }
}
