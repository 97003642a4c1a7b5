using System.Runtime.InteropServices;

namespace Pipeline.Torch.Native;

/// <summary>
/// The native C++ loops in infra/native/bench/native_bench.cpp that do the same work as the C#
/// runtime benchmark; each returns the wall seconds of <c>iters</c> timed iterations.
/// </summary>
internal static partial class NativeBench
{
    internal const string Library = "torchshim_bench";

    [LibraryImport(Library)] internal static partial double tsb_add_loop(long numel, long warmup, long iters);
    [LibraryImport(Library)] internal static partial double tsb_conv2d_loop(long n, long c, long hw, long outChannels, long k, long warmup, long iters);
    [LibraryImport(Library)] internal static partial double tsb_matmul_loop(long m, long k, long n, long warmup, long iters);
    [LibraryImport(Library)] internal static partial double tsb_mobilenet_v2(long batch, long size, long warmup, long iters);
}
