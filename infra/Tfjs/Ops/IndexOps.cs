using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Tfjs.Ops;

/// <summary>ArgMax, gathers and SparseToDense, TensorFlow semantics.</summary>
internal static class IndexOps
{
    public static Tensor[] ArgMax(OpCall call)
    {
        var x = call.Inputs[0];
        using var indices = x.argmax(OpCall.Axis(call.Long(1), x.dim()));
        return [indices.to(ElementwiseOps.DType(call.Attributes.Type("output_type", "DT_INT64")))];
    }

    /// <summary>result[i..] = params[indices[i.., 0], ..., indices[i.., K-1]] (trailing params dims kept).</summary>
    public static Tensor[] GatherNd(OpCall call)
    {
        var parameters = call.Inputs[0];
        using var indices = call.Inputs[1].to(int64);
        var depth = indices.size(-1);
        var columns = indices.unbind(-1);
        try
        {
            var index = columns.Select(c => TensorIndex.Tensor(c)).ToArray();
            return [parameters[index]];
        }
        finally
        {
            foreach (var c in columns)
            {
                c.Dispose();
            }
        }
    }

    public static Tensor[] GatherV2(OpCall call)
    {
        var parameters = call.Inputs[0];
        using var indices = call.Inputs[1].to(int64);
        var axis = OpCall.Axis(call.Long(2), parameters.dim());
        using var flat = indices.flatten();
        using var gathered = parameters.index_select(axis, flat);
        var shape = parameters.shape.Take((int)axis).Concat(indices.shape).Concat(parameters.shape.Skip((int)axis + 1)).ToArray();
        return [gathered.reshape(shape)];
    }

    public static Tensor[] SparseToDense(OpCall call)
    {
        var shape = call.Longs(1);
        var values = call.Inputs[2];
        var dense = full(shape, call.Inputs[3].ToDouble(), values.dtype);
        using var indices = call.Inputs[0].to(int64);
        if (indices.numel() == 0)
        {
            return [dense];
        }

        using var matrix = indices.dim() == 1 ? indices.unsqueeze(1) : indices.alias();
        var columns = matrix.unbind(1);
        try
        {
            using var expanded = values.numel() == 1 ? values.reshape(1).expand(matrix.size(0)) : values.alias();
            dense[columns.Select(c => TensorIndex.Tensor(c)).ToArray()] = expanded;
            return [dense];
        }
        finally
        {
            foreach (var c in columns)
            {
                c.Dispose();
            }
        }
    }
}
