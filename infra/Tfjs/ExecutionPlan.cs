using Pipeline.Tfjs.Ops;

namespace Pipeline.Tfjs;

/// <summary>
/// The nodes one (feeds, fetches) pair needs, in dependency order, each with the intermediates
/// that can be released once it has run.
/// </summary>
internal sealed class ExecutionPlan
{
    public sealed record Step(string Node, OpKernel Kernel, List<string> Release);

    private ExecutionPlan(List<Step> steps, NodeOutput[] fetches)
    {
        Steps = steps;
        Fetches = fetches;
    }

    public List<Step> Steps { get; }

    public NodeOutput[] Fetches { get; }

    public static ExecutionPlan Build(TfjsGraph graph, HashSet<string> feeds, NodeOutput[] fetches)
    {
        var order = new List<string>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false = visiting, true = done
        foreach (var fetch in fetches)
        {
            Visit(graph, fetch.Node, feeds, order, state);
        }

        var unsupported = order.Select(n => graph.Nodes[n].Op).Where(op => !OpRegistry.TryGet(op, out _)).Distinct().ToList();
        if (unsupported.Count > 0)
        {
            throw new NotSupportedException($"{graph.File.Path}: unsupported TensorFlow ops: {string.Join(", ", unsupported)}");
        }

        // Release each computed value after the last step that reads it, unless it is fetched.
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < order.Count; i++)
        {
            foreach (var input in graph.Nodes[order[i]].Inputs)
            {
                lastUse[input.Node] = i;
            }
        }

        var fetched = fetches.Select(f => f.Node).ToHashSet(StringComparer.Ordinal);
        var computed = order.ToHashSet(StringComparer.Ordinal);
        var steps = order.Select(n =>
        {
            OpRegistry.TryGet(graph.Nodes[n].Op, out var kernel);
            return new Step(n, kernel, []);
        }).ToList();
        foreach (var (node, index) in lastUse)
        {
            if (computed.Contains(node) && !fetched.Contains(node))
            {
                steps[index].Release.Add(node);
            }
        }

        return new ExecutionPlan(steps, fetches);
    }

    private static void Visit(TfjsGraph graph, string name, HashSet<string> feeds, List<string> order, Dictionary<string, bool> state)
    {
        if (feeds.Contains(name) || graph.IsConstant(name))
        {
            return;
        }

        if (!graph.Nodes.TryGetValue(name, out var node))
        {
            throw new ArgumentException($"{graph.File.Path}: no node named '{name}'");
        }

        if (state.TryGetValue(name, out var done))
        {
            if (!done)
            {
                throw new InvalidOperationException($"{graph.File.Path}: the graph has a cycle through '{name}'");
            }

            return;
        }

        if (node.Op == "Placeholder")
        {
            throw new ArgumentException($"{graph.File.Path}: input '{name}' was not fed");
        }

        state[name] = false;
        foreach (var input in node.Inputs)
        {
            Visit(graph, input.Node, feeds, order, state);
        }

        state[name] = true;
        order.Add(name);
    }
}
