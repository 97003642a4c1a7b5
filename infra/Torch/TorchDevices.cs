using System.Globalization;
using TorchSharp;

namespace Pipeline.Torch;

/// <summary>
/// Device names as users give them (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>), checked against the
/// devices this machine has, so a missing GPU is refused before any work with one line naming the
/// devices there are (libtorch itself fails later, deep inside a model, with a stack trace).
/// </summary>
public static class TorchDevices
{
    /// <summary>The devices this machine has: "cpu", then "cuda:0" … "cuda:N-1".</summary>
    public static IReadOnlyList<string> Available()
    {
        TorchRuntime.Initialize();
        var count = torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        return ["cpu", .. Enumerable.Range(0, count).Select(i => $"cuda:{i}")];
    }

    /// <summary>Parses and checks a device name; throws <see cref="ArgumentException"/> naming the devices there are.</summary>
    public static torch.Device Parse(string name) => torch.device(Check(name));

    /// <summary>The normalised name of a device this machine has; throws <see cref="ArgumentException"/> naming the devices there are.</summary>
    public static string Check(string name) => Check(name, Available());

    /// <summary>The normalised name of a device in <paramref name="available"/>; throws naming the devices there are.</summary>
    internal static string Check(string name, IReadOnlyList<string> available)
    {
        var normalized = Normalize(name)
            ?? throw new ArgumentException($"device '{name}' is not a device name (use cpu, cuda or cuda:N); this machine has: {string.Join(", ", available)}");
        if (!available.Contains(normalized == "cuda" ? "cuda:0" : normalized))
        {
            throw new ArgumentException($"device '{name}' does not exist on this machine; it has: {string.Join(", ", available)}");
        }

        return normalized;
    }

    // "cpu", "cuda" (the current CUDA device, checked as cuda:0) or "cuda:N"; null if malformed.
    private static string? Normalize(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n is "cpu" or "cuda")
        {
            return n;
        }

        return n.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(n.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? $"cuda:{index}"
            : null;
    }
}
