using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Torch;

public static partial class torch
{
    private static readonly Dictionary<ScalarType, string> SafeTensorsNames = new()
    {
        [ScalarType.Float64] = "F64",
        [ScalarType.Float32] = "F32",
        [ScalarType.Float16] = "F16",
        [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64",
        [ScalarType.Int32] = "I32",
        [ScalarType.Int16] = "I16",
        [ScalarType.Int8] = "I8",
        [ScalarType.Byte] = "U8",
        [ScalarType.Bool] = "BOOL",
    };

    /// <summary>
    /// Writes tensors in the safetensors format (8-byte little-endian header length, JSON header
    /// with dtype / shape / data_offsets, then the raw little-endian data), names sorted.
    /// Written to a temporary file and renamed, so a crash never leaves a partial file.
    /// </summary>
    public static void save_safetensors(IReadOnlyDictionary<string, Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                meta[key] = value;
            }

            header["__metadata__"] = meta;
        }

        long offset = 0;
        foreach (var name in names)
        {
            var tensor = tensors[name];
            var bytes = tensor.numel() * ElementSize(tensor.dtype);
            header[name] = new JsonObject
            {
                ["dtype"] = SafeTensorsNames[tensor.dtype],
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8; // the format recommends 8-byte alignment of the data
        var temporary = path + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            foreach (var name in names)
            {
                WriteData(stream, tensors[name]);
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static unsafe void WriteData(Stream stream, Tensor tensor)
    {
        var bytes = new byte[tensor.numel() * ElementSize(tensor.dtype)];
        fixed (byte* pointer = bytes)
        {
            Native.Status.Check(Native.LibTorchShim.ts_copy_to_buffer(tensor.Handle, pointer, bytes.Length));
        }

        stream.Write(bytes);
    }

    /// <summary>Reads a safetensors file into new CPU tensors (moved to <paramref name="device"/> if given).</summary>
    public static Dictionary<string, Tensor> load_safetensors(string path, Device? device = null) =>
        load_safetensors(path, out _, device);

    public static unsafe Dictionary<string, Tensor> load_safetensors(string path, out Dictionary<string, string> metadata, Device? device = null)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"{path}: too short to be a safetensors file ({bytes.Length} bytes)");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
        {
            throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file size {bytes.Length}");
        }

        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength))?.AsObject() ?? throw new InvalidDataException($"{path}: empty safetensors header");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the safetensors header is not valid JSON: {e.Message}", e);
        }

        var dataStart = 8 + (long)headerLength;
        metadata = [];
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (key, value) in node!.AsObject())
                    {
                        metadata[key] = value?.GetValue<string>() ?? string.Empty;
                    }

                    continue;
                }

                var entry = node!.AsObject();
                var dtypeName = entry["dtype"]!.GetValue<string>();
                var dtype = SafeTensorsNames.FirstOrDefault(p => p.Value == dtypeName).Key;
                if (!SafeTensorsNames.ContainsKey(dtype) || SafeTensorsNames[dtype] != dtypeName)
                {
                    throw new InvalidDataException($"{path}: tensor '{name}' has unsupported dtype {dtypeName}");
                }

                var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var length = offsets[1] - offsets[0];
                var expected = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype);
                if (length != expected || offsets[0] < 0 || dataStart + offsets[1] > bytes.Length)
                {
                    throw new InvalidDataException($"{path}: tensor '{name}' has offsets [{offsets[0]}, {offsets[1]}] that do not fit its shape or the file");
                }

                Tensor tensor;
                fixed (byte* pointer = bytes.AsSpan((int)(dataStart + offsets[0])))
                {
                    tensor = Tensor.Wrap(Native.LibTorchShim.ts_from_buffer(pointer, length, shape, shape.Length, (int)dtype, out var r), r);
                }

                if (device is not null && device.type != DeviceType.CPU)
                {
                    var moved = tensor.to(device);
                    tensor.Dispose();
                    tensor = moved;
                }

                result[name] = tensor;
            }
        }
        catch
        {
            foreach (var t in result.Values)
            {
                t.Dispose();
            }

            throw;
        }

        return result;
    }
}
