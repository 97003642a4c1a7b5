using System.Runtime.InteropServices;
using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

// Threads, devices, versions and dispose scopes.
public static partial class torch
{
    /// <summary>
    /// libtorch's intra-op thread count. Set it before any work (the binding does, from
    /// $PIPELINE_TORCH_THREADS): each thread picks the count up at its first parallel operation and
    /// keeps it, so a later change reaches only threads that have not run one yet.
    /// </summary>
    public static void set_num_threads(int threads) => Native.Status.Check(ts_set_num_threads(threads));

    /// <summary>The intra-op thread count as the calling thread sees it.</summary>
    public static int get_num_threads()
    {
        Native.Status.Check(ts_get_num_threads(out var threads));
        return threads;
    }

    /// <summary>The libtorch version the shim was built against, e.g. "1.13.1".</summary>
    public static string libtorch_version()
    {
        Native.Status.Check(ts_version(out var text));
        return Marshal.PtrToStringUTF8(text) ?? "unknown";
    }

    /// <summary>Opens a scope that disposes every tensor created on this thread until it is disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();

    public static class cuda
    {
        public static bool is_available()
        {
            Native.Status.Check(ts_cuda_is_available(out var value));
            return value != 0;
        }

        public static int device_count()
        {
            Native.Status.Check(ts_cuda_device_count(out var value));
            return value;
        }

        public static void synchronize(int index = -1) => Native.Status.Check(ts_cuda_synchronize(index));

        public static void empty_cache() => Native.Status.Check(ts_cuda_empty_cache());
    }

    /// <summary>
    /// The shim's caching allocator for CPU tensors of 1 MiB and more (freshly mapped pages are
    /// expensive to fault in; freed blocks are kept for reuse, up to $PIPELINE_CPU_POOL_MB, default 2048).
    /// </summary>
    public static class cpu
    {
        /// <summary>Bytes mapped by the pool (in use + cached) and bytes cached for reuse.</summary>
        public static (long mapped, long cached) pool_stats()
        {
            Native.Status.Check(ts_cpu_pool_stats(out var mapped, out var cached));
            return (mapped, cached);
        }

        /// <summary>Returns every cached block to the operating system.</summary>
        public static void empty_cache() => Native.Status.Check(ts_cpu_pool_empty());
    }

    public static class backends
    {
        public static class cudnn
        {
            public static void set_benchmark(bool enabled) => Native.Status.Check(ts_set_cudnn_benchmark(enabled ? 1 : 0));
        }
    }
}
