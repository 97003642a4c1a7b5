using static TorchSharp.torch;

namespace Pipeline.Tfjs.Ops;

/// <summary>Broadcasting arithmetic, comparisons and activations, TensorFlow semantics.</summary>
internal static class ElementwiseOps
{
    public static OpKernel Unary(Func<Tensor, Tensor> f) => call => [f(call.Inputs[0])];

    public static OpKernel Binary(Func<Tensor, Tensor, Tensor> f) => call => [f(call.Inputs[0], call.Inputs[1])];

    public static Tensor[] LeakyRelu(OpCall call) => [nn.functional.leaky_relu(call.Inputs[0], call.Attributes.Float("alpha", 0.2f))];

    public static Tensor[] AddN(OpCall call)
    {
        var sum = call.Inputs[0].alias();
        foreach (var next in call.Inputs.Skip(1))
        {
            var added = sum + next;
            sum.Dispose();
            sum = added;
        }

        return [sum];
    }

    /// <summary>Floor division; integer inputs stay integer, as in TensorFlow.</summary>
    public static Tensor FloorDiv(Tensor a, Tensor b)
    {
        if (a.is_floating_point())
        {
            using var quotient = a / b;
            return quotient.floor();
        }

        using var a64 = a.to(float64);
        using var q = a64 / b;
        using var floored = q.floor();
        return floored.to(a.dtype);
    }

    public static Tensor SquaredDifference(Tensor a, Tensor b)
    {
        using var difference = a - b;
        return difference.square();
    }

    /// <summary>TF's Div: true division for floats, floor division for integers.</summary>
    public static Tensor Div(Tensor a, Tensor b) => a.is_floating_point() ? a / b : FloorDiv(a, b);

    public static Tensor[] Cast(OpCall call) => [call.Inputs[0].to(DType(call.Attributes.Type("DstT")))];

    public static ScalarType DType(string tfType) => tfType switch
    {
        "DT_FLOAT" => float32,
        "DT_HALF" => float16,
        "DT_DOUBLE" => float64,
        "DT_INT32" => int32,
        "DT_INT64" => int64,
        "DT_UINT8" => uint8,
        "DT_BOOL" => @bool,
        _ => throw new NotSupportedException($"dtype {tfType}"),
    };
}
