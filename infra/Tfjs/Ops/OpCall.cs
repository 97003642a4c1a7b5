using static TorchSharp.torch;

namespace Pipeline.Tfjs.Ops;

/// <summary>What a kernel sees: its node, its input tensors (borrowed) and a cache for derived constants.</summary>
public sealed class OpCall
{
    private readonly Func<string, Func<Tensor>, Tensor> prepared;

    internal OpCall(GraphNode node, Tensor[] inputs, Func<string, Func<Tensor>, Tensor> prepared)
    {
        Node = node;
        Inputs = inputs;
        this.prepared = prepared;
    }

    public GraphNode Node { get; }

    public Tensor[] Inputs { get; }

    public NodeAttributes Attributes => Node.Attributes;

    /// <summary>A tensor derived from constant inputs (e.g. a filter in torch layout), computed once per graph.</summary>
    public Tensor Prepared(string kind, Func<Tensor> create) => prepared(kind, create);

    /// <summary>The values of a small integer input (a shape, axis or permutation).</summary>
    public long[] Longs(int input)
    {
        using var asLong = Inputs[input].to(int64);
        return asLong.data<long>().ToArray();
    }

    public long Long(int input) => Longs(input).Single();

    /// <summary>Normalises a possibly negative axis against a rank.</summary>
    public static long Axis(long axis, long rank) => axis < 0 ? axis + rank : axis;
}

/// <summary>A kernel: computes a node's outputs from its inputs. Returns new tensors the caller owns.</summary>
public delegate Tensor[] OpKernel(OpCall call);
