using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Tfjs.Ops;

/// <summary>Reshaping, joining and splitting, TensorFlow semantics (axes may be negative).</summary>
internal static class ShapeOps
{
    public static Tensor[] Identity(OpCall call) => [call.Inputs[0].alias()];

    public static Tensor[] Reshape(OpCall call) => [call.Inputs[0].reshape(call.Longs(1))];

    public static Tensor[] Transpose(OpCall call) => [call.Inputs[0].permute(call.Longs(1))];

    public static Tensor[] ExpandDims(OpCall call)
    {
        var x = call.Inputs[0];
        return [x.unsqueeze(OpCall.Axis(call.Long(1), x.dim() + 1))];
    }

    public static Tensor[] Squeeze(OpCall call)
    {
        var x = call.Inputs[0];
        var dims = call.Attributes.Ints("squeeze_dims");
        if (dims.Length == 0)
        {
            return [x.squeeze()];
        }

        var result = x.alias();
        foreach (var d in dims.Select(d => OpCall.Axis(d, x.dim())).OrderDescending())
        {
            var next = result.squeeze(d);
            result.Dispose();
            result = next;
        }

        return [result];
    }

    public static Tensor[] Pack(OpCall call)
    {
        var rank = call.Inputs[0].dim() + 1;
        return [stack(call.Inputs, OpCall.Axis(call.Attributes.Int("axis"), rank))];
    }

    public static Tensor[] Unpack(OpCall call)
    {
        var x = call.Inputs[0];
        return x.unbind(OpCall.Axis(call.Attributes.Int("axis"), x.dim()));
    }

    public static Tensor[] ConcatV2(OpCall call)
    {
        var tensors = call.Inputs[..^1];
        return [cat(tensors, OpCall.Axis(call.Long(call.Inputs.Length - 1), tensors[0].dim()))];
    }

    public static Tensor[] SplitV(OpCall call)
    {
        var x = call.Inputs[0];
        var axis = OpCall.Axis(call.Long(2), x.dim());
        var sizes = call.Longs(1);
        var unknown = Array.IndexOf(sizes, -1L);
        if (unknown >= 0)
        {
            sizes[unknown] = x.size((int)axis) - sizes.Where(s => s >= 0).Sum();
        }

        return x.split(sizes, axis);
    }

    public static Tensor[] Split(OpCall call)
    {
        var x = call.Inputs[1];
        var axis = OpCall.Axis(call.Long(0), x.dim());
        var parts = call.Attributes.Int("num_split");
        return x.split(x.size((int)axis) / parts, axis);
    }

    public static Tensor[] Slice(OpCall call)
    {
        var x = call.Inputs[0];
        var begin = call.Longs(1);
        var size = call.Longs(2);
        var result = x.alias();
        for (var d = 0; d < begin.Length; d++)
        {
            var length = size[d] < 0 ? x.size(d) - begin[d] : size[d];
            var next = result.narrow(d, begin[d], length);
            result.Dispose();
            result = next;
        }

        return [result];
    }

    public static Tensor[] Pad(OpCall call)
    {
        var x = call.Inputs[0];
        var paddings = call.Longs(1); // [[before, after] per dimension], first dimension first
        var value = call.Inputs.Length > 2 ? call.Inputs[2].ToDouble() : 0;
        var mode = call.Node.Op == "MirrorPad"
            ? call.Attributes.String("mode") == "REFLECT" ? PaddingModes.Reflect : throw new NotSupportedException("MirrorPad mode SYMMETRIC")
            : PaddingModes.Constant;
        var torchOrder = new List<long>();
        for (var d = (int)x.dim() - 1; d >= 0; d--)
        {
            torchOrder.Add(paddings[2 * d]);
            torchOrder.Add(paddings[(2 * d) + 1]);
        }

        // Trailing all-zero pairs at the front dimensions can be dropped (torch pads the last dims).
        while (torchOrder.Count > 2 && torchOrder[^1] == 0 && torchOrder[^2] == 0)
        {
            torchOrder.RemoveRange(torchOrder.Count - 2, 2);
        }

        return [nn.functional.pad(x, [.. torchOrder], mode, value)];
    }

    public static Tensor[] Shape(OpCall call) => [tensor(call.Inputs[0].shape.Select(d => (int)d).ToArray())];

    public static Tensor[] Fill(OpCall call) => [full(call.Longs(0), call.Inputs[1].ToDouble(), call.Inputs[1].dtype)];
}
