using static TorchSharp.torch;

namespace Pipeline.Tfjs.Ops;

/// <summary>The TensorFlow ops this executor implements, by op name.</summary>
public static class OpRegistry
{
    private static readonly Dictionary<string, OpKernel> Kernels = new(StringComparer.Ordinal)
    {
        ["Identity"] = ShapeOps.Identity,
        ["Cast"] = ElementwiseOps.Cast,
        ["Conv2D"] = ConvolutionOps.Conv2D,
        ["_FusedConv2D"] = ConvolutionOps.Conv2D,
        ["DepthwiseConv2dNative"] = ConvolutionOps.DepthwiseConv2D,
        ["FusedDepthwiseConv2dNative"] = ConvolutionOps.DepthwiseConv2D,
        ["Add"] = ElementwiseOps.Binary((a, b) => a + b),
        ["AddV2"] = ElementwiseOps.Binary((a, b) => a + b),
        ["BiasAdd"] = ElementwiseOps.Binary((a, b) => a + b),
        ["AddN"] = ElementwiseOps.AddN,
        ["Sub"] = ElementwiseOps.Binary((a, b) => a - b),
        ["Mul"] = ElementwiseOps.Binary((a, b) => a * b),
        ["RealDiv"] = ElementwiseOps.Binary((a, b) => a / b),
        ["Div"] = ElementwiseOps.Binary(ElementwiseOps.Div),
        ["FloorDiv"] = ElementwiseOps.Binary(ElementwiseOps.FloorDiv),
        ["Maximum"] = ElementwiseOps.Binary(maximum),
        ["Minimum"] = ElementwiseOps.Binary(minimum),
        ["Pow"] = ElementwiseOps.Binary((a, b) => a.pow(b)),
        ["SquaredDifference"] = ElementwiseOps.Binary(ElementwiseOps.SquaredDifference),
        ["Greater"] = ElementwiseOps.Binary((a, b) => a.gt(b)),
        ["Less"] = ElementwiseOps.Binary((a, b) => a.lt(b)),
        ["Sigmoid"] = ElementwiseOps.Unary(t => t.sigmoid()),
        ["Relu"] = ElementwiseOps.Unary(t => t.relu()),
        ["Relu6"] = ElementwiseOps.Unary(t => nn.functional.relu6(t)),
        ["LeakyRelu"] = ElementwiseOps.LeakyRelu,
        ["Tanh"] = ElementwiseOps.Unary(t => t.tanh()),
        ["Sqrt"] = ElementwiseOps.Unary(t => t.sqrt()),
        ["Rsqrt"] = ElementwiseOps.Unary(t => t.rsqrt()),
        ["Exp"] = ElementwiseOps.Unary(t => t.exp()),
        ["Log"] = ElementwiseOps.Unary(t => t.log()),
        ["Neg"] = ElementwiseOps.Unary(t => t.neg()),
        ["Square"] = ElementwiseOps.Unary(t => t.square()),
        ["Abs"] = ElementwiseOps.Unary(t => t.abs()),
        ["Floor"] = ElementwiseOps.Unary(t => t.floor()),
        ["Reshape"] = ShapeOps.Reshape,
        ["Transpose"] = ShapeOps.Transpose,
        ["ExpandDims"] = ShapeOps.ExpandDims,
        ["Squeeze"] = ShapeOps.Squeeze,
        ["Pack"] = ShapeOps.Pack,
        ["Unpack"] = ShapeOps.Unpack,
        ["ConcatV2"] = ShapeOps.ConcatV2,
        ["SplitV"] = ShapeOps.SplitV,
        ["Split"] = ShapeOps.Split,
        ["Slice"] = ShapeOps.Slice,
        ["Pad"] = ShapeOps.Pad,
        ["PadV2"] = ShapeOps.Pad,
        ["MirrorPad"] = ShapeOps.Pad,
        ["Shape"] = ShapeOps.Shape,
        ["Fill"] = ShapeOps.Fill,
        ["ArgMax"] = IndexOps.ArgMax,
        ["GatherNd"] = IndexOps.GatherNd,
        ["GatherV2"] = IndexOps.GatherV2,
        ["SparseToDense"] = IndexOps.SparseToDense,
        ["ResizeBilinear"] = ResamplingOps.ResizeBilinear,
        ["MaxPool"] = ResamplingOps.MaxPool,
        ["AvgPool"] = ResamplingOps.AvgPool,
    };

    public static IReadOnlyCollection<string> SupportedOps => Kernels.Keys;

    internal static bool TryGet(string op, out OpKernel kernel) => Kernels.TryGetValue(op, out kernel!);
}
