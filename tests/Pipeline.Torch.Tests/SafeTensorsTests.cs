using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace Pipeline.Torch.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("safetensors-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // A file laid out by hand from the format's specification, independent of our writer.
    private string HandWritten()
    {
        var header = """{"__metadata__":{"model":"demo"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"h":{"dtype":"F16","shape":[2],"data_offsets":[16,20]}}""";
        var bytes = new List<byte>();
        var length = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, Encoding.UTF8.GetByteCount(header));
        bytes.AddRange(length);
        bytes.AddRange(Encoding.UTF8.GetBytes(header));
        foreach (var f in new[] { 1f, -2f, 3.5f, 0.25f })
        {
            var b = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, f);
            bytes.AddRange(b);
        }

        bytes.AddRange([0x00, 0x3C, 0x00, 0xC0]); // float16 1.0 and −2.0
        var path = Path.Combine(folder, "hand.safetensors");
        File.WriteAllBytes(path, [.. bytes]);
        return path;
    }

    [Fact]
    public void ReadsAFileLaidOutByTheSpecification()
    {
        using var contents = SafeTensors.Read(HandWritten());
        Assert.Equal("demo", contents.Metadata["model"]);
        Assert.Equal([2L, 2], contents.Tensors["w"].shape);
        Assert.Equal([1f, -2f, 3.5f, 0.25f], contents.Tensors["w"].data<float>().ToArray());
        Assert.Equal(ScalarType.Float16, contents.Tensors["h"].dtype);
        Assert.Equal([1f, -2f], contents.Tensors["h"].to(float32).data<float>().ToArray());
    }

    [Fact]
    public void WritesWhatItReadsWithMetadataAndAPaddedHeader()
    {
        var path = Path.Combine(folder, "round.safetensors");
        using var a = randn(3, 4);
        using var b = tensor(new byte[] { 1, 2, 250 });
        using var c = tensor(new long[] { -5, 7 });
        SafeTensors.Write(path, [("a", a), ("b", b), ("c", c)], new Dictionary<string, string> { ["command"] = "./run.sh train --model fasrnet" });
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(bytes) % 8);

        using var back = SafeTensors.Read(path);
        Assert.Equal(a.data<float>().ToArray(), back.Tensors["a"].data<float>().ToArray());
        Assert.Equal(new byte[] { 1, 2, 250 }, back.Tensors["b"].data<byte>().ToArray());
        Assert.Equal(new long[] { -5, 7 }, back.Tensors["c"].data<long>().ToArray());
        Assert.Equal("./run.sh train --model fasrnet", SafeTensors.ReadMetadata(path)["command"]);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void ATruncatedOrForeignFileIsRefusedNamingIt()
    {
        var hand = HandWritten();
        var truncated = Path.Combine(folder, "truncated.safetensors");
        File.WriteAllBytes(truncated, File.ReadAllBytes(hand)[..^3]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(truncated));
        Assert.Contains(truncated, e.Message);
        Assert.Contains("truncated", e.Message);

        var foreign = Path.Combine(folder, "notes.safetensors");
        File.WriteAllText(foreign, "these are not weights, just some text long enough");
        e = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(foreign));
        Assert.Contains(foreign, e.Message);

        var missing = Path.Combine(folder, "missing.safetensors");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => SafeTensors.Read(missing)).Message);
    }
}
