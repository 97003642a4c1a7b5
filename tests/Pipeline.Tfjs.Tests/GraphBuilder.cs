using System.Text;
using System.Text.Json;

namespace Pipeline.Tfjs.Tests;

/// <summary>Writes small TF.js graph-model files (JSON + one weight shard) for executor tests.</summary>
internal sealed class GraphBuilder
{
    private readonly List<object> nodes = [];
    private readonly List<object> weights = [];
    private readonly MemoryStream data = new();

    public GraphBuilder Placeholder(string name, params long[] shape)
    {
        nodes.Add(new { name, op = "Placeholder", attr = new Dictionary<string, object> { ["dtype"] = new { type = "DT_FLOAT" }, ["shape"] = new { shape = new { dim = shape.Select(s => new { size = s.ToString(System.Globalization.CultureInfo.InvariantCulture) }) } } } });
        return this;
    }

    /// <summary>A float constant stored as float16, as the TF.js converter quantises weights.</summary>
    public GraphBuilder Float16Const(string name, float[] values, params long[] shape)
    {
        nodes.Add(new { name, op = "Const", attr = new Dictionary<string, object> { ["dtype"] = new { type = "DT_FLOAT" } } });
        weights.Add(new { name, shape, dtype = "float32", quantization = new { dtype = "float16", original_dtype = "float32" } });
        foreach (var v in values)
        {
            data.Write(BitConverter.GetBytes((Half)v));
        }

        return this;
    }

    public GraphBuilder IntConst(string name, int[] values, params long[] shape)
    {
        nodes.Add(new { name, op = "Const", attr = new Dictionary<string, object> { ["dtype"] = new { type = "DT_INT32" } } });
        weights.Add(new { name, shape, dtype = "int32" });
        foreach (var v in values)
        {
            data.Write(BitConverter.GetBytes(v));
        }

        return this;
    }

    public GraphBuilder Op(string name, string op, string[] inputs, Dictionary<string, object>? attr = null)
    {
        nodes.Add(new { name, op, input = inputs, attr = attr ?? [] });
        return this;
    }

    public static object Ints(params long[] values) => new { list = new { i = values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)) } };

    public static object Str(string value) => new { s = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) };

    public static object Strs(params string[] values) => new { list = new { s = values.Select(v => Convert.ToBase64String(Encoding.UTF8.GetBytes(v))) } };

    public string Write(string directory, string name = "model")
    {
        var model = new
        {
            format = "graph-model",
            modelTopology = new { node = nodes },
            weightsManifest = new[] { new { paths = new[] { name + ".bin" }, weights } },
        };
        var path = Path.Combine(directory, name + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(model));
        File.WriteAllBytes(Path.Combine(directory, name + ".bin"), data.ToArray());
        return path;
    }
}
