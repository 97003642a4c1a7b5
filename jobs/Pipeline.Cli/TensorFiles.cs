using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Pipeline.Cli;

/// <summary>Raw little-endian tensor files, the format the TF.js reference scripts read.</summary>
internal static class TensorFiles
{
    public static string Write<T>(Tensor t, string path)
        where T : unmanaged
    {
        using var contiguous = t.contiguous();
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(contiguous.data<T>().ToArray().AsSpan()).ToArray());
        return path;
    }
}
