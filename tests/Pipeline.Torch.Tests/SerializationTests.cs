using System.Buffers.Binary;
using System.Text.Json;
using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Tests;

public sealed class SerializationTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("torch-serialization-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Fact]
    public void SafetensorsRoundTripsEveryDtypeAndMetadata()
    {
        using var scope = NewDisposeScope();
        var original = new Dictionary<string, Tensor>
        {
            ["f32"] = tensor(new float[] { 1.5f, -2, 3, 4 }, [2, 2]),
            ["f64"] = tensor(new double[] { Math.PI }),
            ["f16"] = tensor(new float[] { 0.5f, 2 }).to(float16),
            ["bf16"] = tensor(new float[] { 0.25f, -8 }).to(bfloat16),
            ["i64"] = tensor(new long[] { long.MinValue, 7 }),
            ["i32"] = tensor(new int[] { -3 }),
            ["u8"] = tensor(new byte[] { 0, 200 }),
            ["bool"] = tensor(new bool[] { true, false, true }),
            ["empty"] = zeros([0, 3]),
            ["transposed"] = arange(0, 6, 1, float32).reshape(2, 3).t(),
        };
        var path = Path.Combine(directory, "all.safetensors");
        save_safetensors(original, path, new Dictionary<string, string> { ["producer"] = "test" });

        var loaded = load_safetensors(path, out var metadata);
        Assert.Equal("test", metadata["producer"]);
        Assert.Equal(original.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, expected) in original)
        {
            var actual = loaded[name];
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(actual.to(float64).allclose(expected.to(float64)), name);
            actual.Dispose();
        }
    }

    [Fact]
    public void SafetensorsFileFollowsTheFormat()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(directory, "format.safetensors");
        save_safetensors(new Dictionary<string, Tensor> { ["b"] = tensor(new float[] { 1, 2 }), ["a"] = tensor(new long[] { 3 }) }, path);

        // Parse the bytes by hand, as another safetensors reader would.
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var a = header.RootElement.GetProperty("a");
        Assert.Equal("I64", a.GetProperty("dtype").GetString());
        Assert.Equal([0, 8], a.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        var b = header.RootElement.GetProperty("b");
        Assert.Equal("F32", b.GetProperty("dtype").GetString());
        Assert.Equal([8, 16], b.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        var data = bytes.AsSpan(8 + headerLength);
        Assert.Equal(3L, BinaryPrimitives.ReadInt64LittleEndian(data));
        Assert.Equal(2f, BinaryPrimitives.ReadSingleLittleEndian(data[12..]));
    }

    [Fact]
    public void CorruptSafetensorsFilesFailWithTheFileName()
    {
        var path = Path.Combine(directory, "broken.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => load_safetensors(path)).Message);
        var header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}"u8.ToArray();
        var bytes = new byte[8 + header.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("'x'", Assert.Throws<InvalidDataException>(() => load_safetensors(path)).Message);
    }

    [Fact]
    public void LoadsAPlainDictSavedInPyTorchsFormat()
    {
        var loaded = load(Fixture("torch_save_dict.pt"));
        try
        {
            Assert.Equal(["conv.weight", "grid.T", "steps"], loaded.Keys.Order());
            Assert.Equal([2L, 3], loaded["conv.weight"].shape);
            Assert.Equal([0.5f, -1.25f, 2, 3.5f, -4, 8], loaded["conv.weight"].data<float>());
            Assert.Equal([1L, 2, 3, 1L << 40], loaded["steps"].data<long>());
            // storage offset 2, strides (1, 2): the transpose of [[0.2, 0.3], [0.4, 0.5], [0.6, 0.7]]
            var grid = loaded["grid.T"].data<double>();
            Assert.Equal([0.2, 0.4, 0.6, 0.3, 0.5, 0.7], grid.Select(v => Math.Round(v, 10)));
        }
        finally
        {
            foreach (var t in loaded.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void AnOrderedDictFileGetsAnExplanation()
    {
        var error = Assert.Throws<TorchException>(() => load(Fixture("torch_save_ordereddict.pt")));
        Assert.Contains("torch_save_ordereddict.pt", error.Message);
    }

    [Fact]
    public void SaveWritesWhatLoadReads()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(directory, "roundtrip.pt");
        save(new Dictionary<string, Tensor> { ["w"] = tensor(new float[] { 1, 2, 3 }), ["n"] = tensor(new long[] { 9 }) }, path);
        var loaded = load(path);
        Assert.Equal([1f, 2, 3], loaded["w"].data<float>());
        Assert.Equal([9L], loaded["n"].data<long>());
    }
}
