using System.Text.Json;

namespace Pipeline.Tfjs;

/// <summary>One tensor listed in the weights manifest, in file order.</summary>
public sealed record WeightSpec(string Name, long[] Shape, string DType, string? QuantizedDType, double Scale, double Min);

/// <summary>The parsed model JSON of a TF.js graph model: nodes, signature and weights manifest.</summary>
public sealed class GraphModelFile
{
    private GraphModelFile(string path, IReadOnlyList<GraphNode> nodes, IReadOnlyList<string> weightFiles, IReadOnlyList<WeightSpec> weights, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
    {
        Path = path;
        Nodes = nodes;
        WeightFiles = weightFiles;
        Weights = weights;
        SignatureInputs = inputs;
        SignatureOutputs = outputs;
    }

    public string Path { get; }

    public IReadOnlyList<GraphNode> Nodes { get; }

    public IReadOnlyList<string> WeightFiles { get; }

    public IReadOnlyList<WeightSpec> Weights { get; }

    public IReadOnlyList<string> SignatureInputs { get; }

    public IReadOnlyList<string> SignatureOutputs { get; }

    public static GraphModelFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"TF.js model file not found: {path}", path);
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (!root.TryGetProperty("format", out var format) || format.GetString() != "graph-model")
            {
                throw new InvalidDataException($"{path}: not a TF.js graph model (format is not \"graph-model\")");
            }

            var nodes = root.GetProperty("modelTopology").GetProperty("node").EnumerateArray().Select(ReadNode).ToList();
            var files = new List<string>();
            var weights = new List<WeightSpec>();
            foreach (var group in root.GetProperty("weightsManifest").EnumerateArray())
            {
                files.AddRange(group.GetProperty("paths").EnumerateArray().Select(p => p.GetString()!));
                weights.AddRange(group.GetProperty("weights").EnumerateArray().Select(ReadWeight));
            }

            var inputs = new List<string>();
            var outputs = new List<string>();
            if (root.TryGetProperty("signature", out var signature))
            {
                inputs.AddRange(SignatureNames(signature, "inputs"));
                outputs.AddRange(SignatureNames(signature, "outputs"));
            }

            return new GraphModelFile(path, nodes, files, weights, inputs, outputs);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: malformed TF.js graph model: {e.Message}", e);
        }
    }

    private static IEnumerable<string> SignatureNames(JsonElement signature, string key) =>
        signature.TryGetProperty(key, out var entries)
            ? entries.EnumerateObject().Select(p => NodeOutput.Parse(p.Value.GetProperty("name").GetString()!).ToString())
            : [];

    private static GraphNode ReadNode(JsonElement node)
    {
        var inputs = node.TryGetProperty("input", out var list)
            ? list.EnumerateArray().Select(i => i.GetString()!).Where(i => !i.StartsWith('^')).Select(NodeOutput.Parse).ToList()
            : [];
        var attributes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (node.TryGetProperty("attr", out var attr))
        {
            foreach (var p in attr.EnumerateObject())
            {
                attributes[p.Name] = p.Value.Clone();
            }
        }

        return new GraphNode(node.GetProperty("name").GetString()!, node.GetProperty("op").GetString()!, inputs, new NodeAttributes(attributes));
    }

    private static WeightSpec ReadWeight(JsonElement w)
    {
        string? quantized = null;
        double scale = 1, min = 0;
        if (w.TryGetProperty("quantization", out var q) && q.ValueKind == JsonValueKind.Object)
        {
            quantized = q.GetProperty("dtype").GetString();
            scale = q.TryGetProperty("scale", out var s) ? s.GetDouble() : 1;
            min = q.TryGetProperty("min", out var m) ? m.GetDouble() : 0;
        }

        return new WeightSpec(
            w.GetProperty("name").GetString()!,
            w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
            w.GetProperty("dtype").GetString()!,
            quantized,
            scale,
            min);
    }
}
