using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Tfjs;

/// <summary>
/// Reads the weight shards of a TF.js graph model: the files concatenated in manifest order,
/// each tensor stored as its dtype or quantized (float16, or uint8/uint16 affine: v·scale + min).
/// </summary>
internal static class WeightsReader
{
    public static Dictionary<string, Tensor> Read(GraphModelFile model, Device device)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(model.Path))!;
        using var stream = new MemoryStream();
        foreach (var file in model.WeightFiles)
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{model.Path}: weight shard '{file}' not found next to the model", path);
            }

            using var shard = File.OpenRead(path);
            shard.CopyTo(stream);
        }

        var bytes = stream.GetBuffer().AsSpan(0, (int)stream.Length);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var offset = 0;
        try
        {
            foreach (var spec in model.Weights)
            {
                var count = spec.Shape.Aggregate(1L, (a, b) => a * b);
                var stored = spec.QuantizedDType ?? spec.DType;
                var length = checked((int)(count * BytesPer(stored, spec)));
                if (offset + length > bytes.Length)
                {
                    throw new InvalidDataException($"{model.Path}: weight '{spec.Name}' runs past the end of the weight data ({bytes.Length} bytes)");
                }

                var tensor = Decode(bytes.Slice(offset, length), spec, stored);
                offset += length;
                if (device.type != DeviceType.CPU)
                {
                    var moved = tensor.to(device);
                    tensor.Dispose();
                    tensor = moved;
                }

                result[spec.Name] = tensor.DetachFromDisposeScope();
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

        if (offset != bytes.Length)
        {
            throw new InvalidDataException($"{model.Path}: the manifest accounts for {offset} bytes but the shards hold {bytes.Length}");
        }

        return result;
    }

    private static int BytesPer(string dtype, WeightSpec spec) => dtype switch
    {
        "float32" or "int32" => 4,
        "float16" or "uint16" => 2,
        "uint8" or "bool" => 1,
        _ => throw new NotSupportedException($"weight '{spec.Name}': dtype '{dtype}' is not supported"),
    };

    private static Tensor Decode(ReadOnlySpan<byte> data, WeightSpec spec, string stored)
    {
        var shape = spec.Shape;
        switch (stored)
        {
            case "float32":
                return tensor(MemoryMarshal.Cast<byte, float>(data).ToArray(), shape);
            case "int32":
                return tensor(MemoryMarshal.Cast<byte, int>(data).ToArray(), shape);
            case "bool":
                return tensor(MemoryMarshal.Cast<byte, bool>(data).ToArray(), shape);
            case "float16":
                {
                    using var half = tensor(MemoryMarshal.Cast<byte, Half>(data).ToArray(), shape);
                    return half.to(float32);
                }

            case "uint8":
            case "uint16":
                {
                    var values = new float[data.Length / (stored == "uint8" ? 1 : 2)];
                    for (var i = 0; i < values.Length; i++)
                    {
                        double q = stored == "uint8" ? data[i] : BitConverter.ToUInt16(data.Slice(i * 2, 2));
                        values[i] = (float)((q * spec.Scale) + spec.Min);
                    }

                    var dequantized = tensor(values, shape);
                    if (spec.DType != "int32")
                    {
                        return dequantized;
                    }

                    using (dequantized)
                    {
                        return dequantized.round().to(int32);
                    }
                }

            default:
                throw new NotSupportedException($"weight '{spec.Name}': stored dtype '{stored}' is not supported");
        }
    }
}
