using System.Collections.Concurrent;
using Pipeline.Tfjs.Ops;
using static TorchSharp.torch;

namespace Pipeline.Tfjs;

/// <summary>
/// A TensorFlow.js graph model executed op by op on the torch binding, with TensorFlow's
/// semantics. Any node can be fed (to start past a batch-1 preprocessing prefix) and any node
/// fetched (to read features or raw heads). Subgraphs that depend only on constants are folded
/// at load; intermediates are released as soon as their last consumer has run. Inference only:
/// runs without recording gradients. One instance may be run from several threads.
/// </summary>
public sealed class TfjsGraph : IDisposable
{
    private readonly Dictionary<string, GraphNode> nodes;
    private readonly Dictionary<string, Tensor[]> constants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Node, string Kind), Tensor> prepared = new();
    private readonly ConcurrentDictionary<string, ExecutionPlan> plans = new(StringComparer.Ordinal);
    private bool disposed;

    private TfjsGraph(GraphModelFile file, Device device)
    {
        File = file;
        Device = device;
        nodes = file.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
    }

    public GraphModelFile File { get; }

    public Device Device { get; }

    public IReadOnlyDictionary<string, GraphNode> Nodes => nodes;

    /// <summary>Called after each node runs, with its wall time (for profiling; null = off).</summary>
    public Action<GraphNode, TimeSpan>? NodeExecuted { get; set; }

    /// <summary>Loads a model JSON and its weight shards onto <paramref name="device"/> (default CPU).</summary>
    public static TfjsGraph Load(string modelJsonPath, Device? device = null)
    {
        var graph = new TfjsGraph(GraphModelFile.Read(modelJsonPath), device ?? CPU);
        try
        {
            graph.LoadConstants();
            return graph;
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    private void LoadConstants()
    {
        var weights = WeightsReader.Read(File, Device);
        foreach (var node in File.Nodes.Where(n => n.Op == "Const"))
        {
            if (!weights.Remove(node.Name, out var value))
            {
                throw new InvalidDataException($"{File.Path}: constant '{node.Name}' has no entry in the weights manifest");
            }

            constants[node.Name] = [value];
        }

        foreach (var unused in weights.Values)
        {
            unused.Dispose();
        }

        // Fold nodes whose inputs are all constant (shape arithmetic and the like), in graph order.
        bool folded;
        do
        {
            folded = false;
            foreach (var node in File.Nodes)
            {
                if (constants.ContainsKey(node.Name) || node.Op == "Placeholder" || node.Inputs.Count == 0 ||
                    !node.Inputs.All(i => constants.ContainsKey(i.Node)) || !OpRegistry.TryGet(node.Op, out var kernel))
                {
                    continue;
                }

                using var scope = NewDisposeScope();
                var outputs = Execute(node, kernel, node.Inputs.Select(i => constants[i.Node][i.Index]).ToArray());
                foreach (var o in outputs)
                {
                    o.DetachFromDisposeScope();
                }

                constants[node.Name] = outputs;
                folded = true;
            }
        }
        while (folded);
    }

    /// <summary>
    /// Computes <paramref name="fetches"/> ("node" or "node:k") from <paramref name="feeds"/> (node
    /// name → value; fed nodes are not computed). Returns new tensors in fetch order: the caller owns them.
    /// </summary>
    public Tensor[] Run(IReadOnlyDictionary<string, Tensor> feeds, params string[] fetches)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var plan = plans.GetOrAdd(PlanKey(feeds.Keys, fetches), _ => ExecutionPlan.Build(this, feeds.Keys.ToHashSet(StringComparer.Ordinal), fetches.Select(NodeOutput.Parse).ToArray()));
        using var _ = no_grad();
        var values = new Dictionary<string, Tensor[]>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, value) in feeds)
            {
                values[name] = [value]; // borrowed from the caller
            }

            foreach (var step in plan.Steps)
            {
                var node = nodes[step.Node];
                var inputs = node.Inputs.Select(i => Value(values, i)).ToArray();
                var started = NodeExecuted is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
                values[node.Name] = Execute(node, step.Kernel, inputs);
                NodeExecuted?.Invoke(node, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                foreach (var done in step.Release)
                {
                    foreach (var t in values[done])
                    {
                        t.Dispose();
                    }

                    values.Remove(done);
                }
            }

            return plan.Fetches.Select(f => Value(values, f).alias()).ToArray();
        }
        finally
        {
            foreach (var (name, outputs) in values)
            {
                if (!feeds.ContainsKey(name))
                {
                    foreach (var t in outputs)
                    {
                        t.Dispose();
                    }
                }
            }
        }
    }

    /// <summary>Runs with one feed and one fetch.</summary>
    public Tensor Run(string feed, Tensor value, string fetch) => Run(new Dictionary<string, Tensor> { [feed] = value }, fetch)[0];

    private Tensor Value(Dictionary<string, Tensor[]> values, NodeOutput reference)
    {
        var outputs = values.TryGetValue(reference.Node, out var computed) ? computed : constants[reference.Node];
        if (reference.Index >= outputs.Length)
        {
            throw new InvalidOperationException($"{File.Path}: node '{reference.Node}' has {outputs.Length} outputs, '{reference}' was asked for");
        }

        return outputs[reference.Index];
    }

    private Tensor[] Execute(GraphNode node, OpKernel kernel, Tensor[] inputs)
    {
        try
        {
            var call = new OpCall(node, inputs, (kind, create) => prepared.GetOrAdd((node.Name, kind), _ => create().DetachFromDisposeScope()));
            return kernel(call);
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or NotSupportedException or ArgumentException or IndexOutOfRangeException)
        {
            var shapes = string.Join(", ", inputs.Select(t => $"[{string.Join(", ", t.shape)}] {t.dtype}"));
            throw new InvalidOperationException($"{File.Path}: {node} failed on inputs ({shapes}): {e.Message}", e);
        }
    }

    internal bool IsConstant(string name) => constants.ContainsKey(name);

    private static string PlanKey(IEnumerable<string> feeds, string[] fetches) =>
        string.Join('\u0001', feeds.Order(StringComparer.Ordinal)) + '\u0002' + string.Join('\u0001', fetches);

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var t in constants.Values.SelectMany(v => v).Concat(prepared.Values))
        {
            t.Dispose();
        }

        constants.Clear();
        prepared.Clear();
    }
}
