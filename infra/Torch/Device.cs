using System.Globalization;

namespace Pipeline.Torch;

public static partial class torch
{
    /// <summary>Device kinds; the values equal libtorch's <c>c10::DeviceType</c> codes.</summary>
    public enum DeviceType
    {
        CPU = 0,
        CUDA = 1,
    }

    /// <summary>A device and its index (-1 = the current one of that kind).</summary>
    public sealed record Device(DeviceType type, int index = -1)
    {
        public override string ToString() =>
            type == DeviceType.CPU ? "cpu" : index < 0 ? "cuda" : $"cuda:{index}";
    }

    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA);

    /// <summary>Parses "cpu", "cuda" or "cuda:N", as PyTorch's <c>torch.device</c>.</summary>
    public static Device device(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var text = description.Trim().ToLowerInvariant();
        if (text == "cpu")
        {
            return CPU;
        }

        if (text == "cuda")
        {
            return CUDA;
        }

        if (text.StartsWith("cuda:", StringComparison.Ordinal) &&
            int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"unknown device '{description}': expected cpu, cuda or cuda:N", nameof(description));
    }

    public static Device device(DeviceType type, int index = -1) => new(type, index);
}
