using System.Text.Json;

namespace Pipeline.Tfjs;

/// <summary>A reference to one output of a node: "name" (output 0) or "name:k".</summary>
public readonly record struct NodeOutput(string Node, int Index)
{
    public static NodeOutput Parse(string reference)
    {
        var colon = reference.LastIndexOf(':');
        if (colon > 0 && int.TryParse(reference.AsSpan(colon + 1), out var index))
        {
            return new NodeOutput(reference[..colon], index);
        }

        return new NodeOutput(reference, 0);
    }

    public override string ToString() => Index == 0 ? Node : $"{Node}:{Index}";
}

/// <summary>One node of a TensorFlow graph: its op, data inputs (control inputs dropped) and attributes.</summary>
public sealed class GraphNode
{
    public GraphNode(string name, string op, IReadOnlyList<NodeOutput> inputs, NodeAttributes attributes)
    {
        Name = name;
        Op = op;
        Inputs = inputs;
        Attributes = attributes;
    }

    public string Name { get; }

    public string Op { get; }

    public IReadOnlyList<NodeOutput> Inputs { get; }

    public NodeAttributes Attributes { get; }

    public override string ToString() => $"{Op} '{Name}'";
}

/// <summary>The attributes of a node as the TF.js converter writes them (proto3 JSON: ints as strings, strings base64).</summary>
public sealed class NodeAttributes
{
    private readonly Dictionary<string, JsonElement> values;

    public NodeAttributes(Dictionary<string, JsonElement> values) => this.values = values;

    public bool Has(string name) => values.ContainsKey(name);

    public long Int(string name, long fallback = 0) =>
        values.TryGetValue(name, out var v) && v.TryGetProperty("i", out var i) ? ParseLong(i) : fallback;

    public float Float(string name, float fallback = 0) =>
        values.TryGetValue(name, out var v) && v.TryGetProperty("f", out var f) ? f.GetSingle() : fallback;

    public bool Bool(string name, bool fallback = false) =>
        values.TryGetValue(name, out var v) && v.TryGetProperty("b", out var b) ? b.GetBoolean() : fallback;

    public string String(string name, string fallback = "") =>
        values.TryGetValue(name, out var v) && v.TryGetProperty("s", out var s) ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString()!)) : fallback;

    public string Type(string name, string fallback = "") =>
        values.TryGetValue(name, out var v) && v.TryGetProperty("type", out var t) ? t.GetString()! : fallback;

    /// <summary>A shape attribute's dimensions (-1 for unknown ones).</summary>
    public long[] Shape(string name)
    {
        if (!values.TryGetValue(name, out var v) || !v.TryGetProperty("shape", out var shape) || !shape.TryGetProperty("dim", out var dims))
        {
            return [];
        }

        return dims.EnumerateArray().Select(d => d.TryGetProperty("size", out var size) ? ParseLong(size) : -1).ToArray();
    }

    public long[] Ints(string name)
    {
        if (!values.TryGetValue(name, out var v) || !v.TryGetProperty("list", out var list) || !list.TryGetProperty("i", out var items))
        {
            return [];
        }

        return items.EnumerateArray().Select(ParseLong).ToArray();
    }

    public string[] Strings(string name)
    {
        if (!values.TryGetValue(name, out var v) || !v.TryGetProperty("list", out var list) || !list.TryGetProperty("s", out var items))
        {
            return [];
        }

        return items.EnumerateArray().Select(s => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString()!))).ToArray();
    }

    private static long ParseLong(JsonElement e) => e.ValueKind == JsonValueKind.String ? long.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetInt64();
}
