using static TorchSharp.torch;

namespace Pipeline.Tfjs.Ops;

/// <summary>
/// Conv2D, _FusedConv2D, DepthwiseConv2dNative and FusedDepthwiseConv2dNative in TensorFlow's NHWC
/// semantics. The NHWC tensor is viewed as NCHW (a channels-last layout, no copy), convolved by
/// libtorch, and viewed back; filters are converted to torch layout once per graph. Keeping
/// activations channels-last end to end matters: it is libtorch's fast CPU path for these convs.
/// </summary>
internal static class ConvolutionOps
{
    public static Tensor[] Conv2D(OpCall call) => [Convolve(call, depthwise: false)];

    public static Tensor[] DepthwiseConv2D(OpCall call) => [Convolve(call, depthwise: true)];

    private static Tensor Convolve(OpCall call, bool depthwise)
    {
        var a = call.Attributes;
        if (a.String("data_format", "NHWC") != "NHWC")
        {
            throw new NotSupportedException($"data_format {a.String("data_format")} (only NHWC graphs are supported)");
        }

        // A channels-first input (an NCHW tensor behind a Transpose, as in ONNX-converted graphs) is
        // copied to channels-last once; every later layer then inherits that layout.
        using var x = call.Inputs[0].is_contiguous() ? call.Inputs[0].alias() : call.Inputs[0].contiguous();
        var filter = call.Inputs[1];
        var weight = call.Prepared(depthwise ? "depthwise_weight" : "conv_weight", () =>
        {
            if (!depthwise)
            {
                return filter.permute(3, 2, 0, 1).contiguous(); // [kh, kw, in, out] -> [out, in, kh, kw]
            }

            var shape = filter.shape; // [kh, kw, in, multiplier] -> [in * multiplier, 1, kh, kw]
            using var permuted = filter.permute(2, 3, 0, 1);
            return permuted.reshape(shape[2] * shape[3], 1, shape[0], shape[1]);
        });
        var strides = a.Ints("strides");
        var dilations = a.Ints("dilations");
        (long H, long W) stride = strides.Length == 4 ? (strides[1], strides[2]) : (1, 1);
        (long H, long W) dilation = dilations.Length == 4 ? (dilations[1], dilations[2]) : (1, 1);
        var kernel = (weight.size(2), weight.size(3));

        var (pads, symmetric) = Padding.For(a, x.size(1), x.size(2), kernel, stride, dilation);
        // Asymmetric padding is applied in NHWC, so the data stays channels-last: libtorch's
        // depthwise kernels are several times slower on contiguous NCHW.
        using var paddedNhwc = symmetric ? x.alias() : nn.functional.pad(x, [0, 0, pads.Left, pads.Right, pads.Top, pads.Bottom]);
        using var padded = paddedNhwc.permute(0, 3, 1, 2);
        var fused = a.Strings("fused_ops");
        var bias = fused.Length > 0 && fused[0] == "BiasAdd" ? call.Inputs[2] : null;
        if (fused.Length > 0 && fused[0] != "BiasAdd")
        {
            throw new NotSupportedException($"fused op {fused[0]}");
        }

        var groups = depthwise ? padded.size(1) : 1;
        using var y = nn.functional.conv2d(padded, weight, bias, [stride.H, stride.W], symmetric ? [pads.Top, pads.Left] : [0, 0], [dilation.H, dilation.W], groups);
        if (fused.Length > 1)
        {
            ActivateInPlace(fused[1], y, a);
        }

        return y.permute(0, 2, 3, 1);
    }

    // The convolution's output is ours alone: activating it in place saves a tensor-sized
    // allocation and a memory pass per layer (MoveNet's early layers are 50–75 MB at batch 8).
    // TorchSharp's in-place ops return the tensor itself: nothing new to dispose.
    private static void ActivateInPlace(string name, Tensor y, NodeAttributes a)
    {
        _ = name switch
        {
            "Relu" => y.relu_(),
            "Relu6" => y.clamp_(0, 6),
            "LeakyRelu" => y.leaky_relu_(a.Float("leakyrelu_alpha", 0.2f)),
            "Elu" => y.elu_(1.0, 1.0, 1.0),
            "Sigmoid" => y.sigmoid_(),
            "Tanh" => y.tanh_(),
            _ => throw new NotSupportedException($"fused activation {name}"),
        };
    }
}

/// <summary>TensorFlow's padding rules: SAME (extra pixel after), VALID, or EXPLICIT.</summary>
internal static class Padding
{
    public readonly record struct Pads(long Top, long Bottom, long Left, long Right);

    public static (Pads Pads, bool Symmetric) For(NodeAttributes a, long height, long width, (long H, long W) kernel, (long H, long W) stride, (long H, long W) dilation)
    {
        var mode = a.String("padding", "VALID");
        Pads pads;
        switch (mode)
        {
            case "VALID":
                pads = new Pads(0, 0, 0, 0);
                break;
            case "SAME":
                var (top, bottom) = Same(height, kernel.H, stride.H, dilation.H);
                var (left, right) = Same(width, kernel.W, stride.W, dilation.W);
                pads = new Pads(top, bottom, left, right);
                break;
            case "EXPLICIT":
                var e = a.Ints("explicit_paddings"); // NHWC: [0, 0, top, bottom, left, right, 0, 0]
                pads = new Pads(e[2], e[3], e[4], e[5]);
                break;
            default:
                throw new NotSupportedException($"padding {mode}");
        }

        return (pads, pads.Top == pads.Bottom && pads.Left == pads.Right);
    }

    private static (long Before, long After) Same(long size, long kernel, long stride, long dilation)
    {
        var output = (size + stride - 1) / stride;
        var total = Math.Max(((output - 1) * stride) + ((kernel - 1) * dilation) + 1 - size, 0);
        return (total / 2, total - (total / 2));
    }
}
