using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Pipeline.Torch;

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
/// header mapping each tensor's name to its dtype, shape and byte range in the data that follows, and
/// an optional <c>__metadata__</c> object of string pairs. TorchSharp.PyBridge reads and writes it but
/// drops <c>__metadata__</c>, which our weights need (model, backbone hash, training command, commit),
/// hence this. Tensors are little-endian, row-major, and packed in the order given.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";

    // The format's cap on the header; anything larger is a damaged or foreign file.
    private const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<ScalarType, string> DtypeNames = new()
    {
        [ScalarType.Float32] = "F32",
        [ScalarType.Float16] = "F16",
        [ScalarType.Float64] = "F64",
        [ScalarType.Int64] = "I64",
        [ScalarType.Int32] = "I32",
        [ScalarType.Byte] = "U8",
    };

    /// <summary>A file's tensors (on the CPU, owned by the caller) and metadata.</summary>
    public sealed record Contents(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in Tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            header[MetadataKey] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        }

        var payloads = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (name == MetadataKey || header.ContainsKey(name))
            {
                throw new ArgumentException($"tensor name '{name}' is reserved or repeated");
            }

            var dtype = DtypeNames.TryGetValue(tensor.dtype, out var n) ? n : throw new ArgumentException($"tensor '{name}': dtype {tensor.dtype} is not supported");
            var bytes = Bytes(tensor);
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray([.. tensor.shape.Select(s => (JsonNode?)JsonValue.Create(s))]),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            payloads.Add(bytes);
            offset += bytes.Length;
        }

        // The header is padded with spaces to a multiple of 8 bytes, as the reference writer does.
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, padded);
            stream.Write(length);
            stream.Write(json);
            stream.Write(Enumerable.Repeat((byte)' ', padded - json.Length).ToArray());
            foreach (var payload in payloads)
            {
                stream.Write(payload);
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads just the metadata, without the tensors.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var stream = Open(path);
        var (header, _) = ReadHeader(path, stream);
        return Metadata(path, header);
    }

    /// <summary>Reads a file; a damaged, truncated or foreign file is an <see cref="InvalidDataException"/> naming it and the problem.</summary>
    public static Contents Read(string path)
    {
        using var stream = Open(path);
        var (header, dataStart) = ReadHeader(path, stream);
        var dataLength = stream.Length - dataStart;
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == MetadataKey)
                {
                    continue;
                }

                var (dtype, shape, begin, end) = Entry(path, name, node);
                if (begin < 0 || end < begin || end > dataLength)
                {
                    throw new InvalidDataException($"{path}: tensor '{name}' lies outside the file's data (bytes {begin}–{end} of {dataLength}); the file is truncated or damaged");
                }

                var elements = shape.Aggregate(1L, (a, b) => a * b);
                if (elements * ElementSize(dtype) != end - begin)
                {
                    throw new InvalidDataException($"{path}: tensor '{name}' has {end - begin} bytes for shape [{string.Join(", ", shape)}] of {DtypeNames[dtype]}");
                }

                var bytes = new byte[end - begin];
                stream.Position = dataStart + begin;
                stream.ReadExactly(bytes);
                tensors[name] = FromBytes(bytes, dtype, shape);
            }
        }
        catch
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }

            throw;
        }

        return new Contents(tensors, Metadata(path, header));
    }

    private static FileStream Open(string path) =>
        File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read) : throw new FileNotFoundException($"{path}: no such file", path);

    private static (JsonObject Header, long DataStart) ReadHeader(string path, FileStream stream)
    {
        Span<byte> length = stackalloc byte[8];
        if (stream.Length < 8 || stream.Read(length) != 8)
        {
            throw new InvalidDataException($"{path}: not a safetensors file ({stream.Length} bytes, shorter than its 8-byte header length)");
        }

        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(length);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || headerLength > stream.Length - 8)
        {
            throw new InvalidDataException($"{path}: not a safetensors file, or truncated (header length {headerLength}, file {stream.Length} bytes)");
        }

        var json = new byte[headerLength];
        stream.ReadExactly(json);
        try
        {
            return (JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{path}: the safetensors header is not a JSON object"), 8 + headerLength);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the safetensors header is not valid JSON: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> Metadata(string path, JsonObject header)
    {
        if (!header.TryGetPropertyValue(MetadataKey, out var node) || node is null)
        {
            return [];
        }

        return node is JsonObject o && o.All(kv => kv.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            ? o.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>())
            : throw new InvalidDataException($"{path}: '{MetadataKey}' must map strings to strings");
    }

    private static (ScalarType Dtype, long[] Shape, long Begin, long End) Entry(string path, string name, JsonNode? node)
    {
        try
        {
            var o = (JsonObject)node!;
            var dtypeName = o["dtype"]!.GetValue<string>();
            var dtype = DtypeNames.FirstOrDefault(kv => kv.Value == dtypeName, new(ScalarType.Bool, "")).Key;
            if (dtype == ScalarType.Bool)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtypeName}, which is not supported");
            }

            var shape = o["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            var offsets = o["data_offsets"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            return offsets.Length == 2 && shape.All(s => s >= 0)
                ? (dtype, shape, offsets[0], offsets[1])
                : throw new InvalidDataException($"{path}: tensor '{name}' has a malformed shape or data_offsets");
        }
        catch (Exception e) when (e is InvalidCastException or NullReferenceException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' has a malformed header entry: {e.Message}", e);
        }
    }

    private static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 => 2,
        _ => 1,
    };

    private static byte[] Bytes(Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        return tensor.dtype switch
        {
            ScalarType.Float32 => MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()).ToArray(),
            ScalarType.Float16 => MemoryMarshal.AsBytes(cpu.data<Half>().ToArray().AsSpan()).ToArray(),
            ScalarType.Float64 => MemoryMarshal.AsBytes(cpu.data<double>().ToArray().AsSpan()).ToArray(),
            ScalarType.Int64 => MemoryMarshal.AsBytes(cpu.data<long>().ToArray().AsSpan()).ToArray(),
            ScalarType.Int32 => MemoryMarshal.AsBytes(cpu.data<int>().ToArray().AsSpan()).ToArray(),
            _ => cpu.data<byte>().ToArray(),
        };
    }

    private static Tensor FromBytes(byte[] bytes, ScalarType dtype, long[] shape) => dtype switch
    {
        ScalarType.Float32 => tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape),
        ScalarType.Float16 => tensor(MemoryMarshal.Cast<byte, Half>(bytes).ToArray(), shape),
        ScalarType.Float64 => tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), shape),
        ScalarType.Int64 => tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape),
        ScalarType.Int32 => tensor(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), shape),
        _ => tensor(bytes, shape),
    };
}
