using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.Torch.Native;

/// <summary>
/// Finds libtorchshim.so (next to the app, or in $PIPELINE_NATIVE_DIR) with a clear error when it
/// is missing, and configures libtorch once, as soon as the library is loaded: libtorch defaults
/// to one intra-op thread on these machines, so the count is always set explicitly
/// ($PIPELINE_TORCH_THREADS, else one per processor).
/// </summary>
internal static class NativeLoader
{
    private static readonly string[] LibraryFiles = ["libtorchshim.so", "libtorchshim_bench.so"];

    // The resolver must be in place before the first P/Invoke into the shim, from any entry point.
#pragma warning disable CA2255
    [ModuleInitializer]
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);
#pragma warning restore CA2255

    internal static string NativeDirectory =>
        Environment.GetEnvironmentVariable("PIPELINE_NATIVE_DIR") is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var file = name switch
        {
            LibTorchShim.Library => LibraryFiles[0],
            NativeBench.Library => LibraryFiles[1],
            _ => null,
        };
        if (file is null)
        {
            return IntPtr.Zero;
        }

        var path = Path.Combine(NativeDirectory, file);
        if (!File.Exists(path))
        {
            throw new DllNotFoundException(
                $"{file} was not found in {NativeDirectory}. Build it with './run.sh setup' " +
                "(or point PIPELINE_NATIVE_DIR at the folder that holds it).");
        }

        var library = NativeLibrary.Load(path);
        if (name == LibTorchShim.Library)
        {
            Configure(library);
        }

        return library;
    }

    // Calls the export through a function pointer: a P/Invoke here would re-enter the resolver.
    private static unsafe void Configure(IntPtr library)
    {
        var threads = Environment.GetEnvironmentVariable("PIPELINE_TORCH_THREADS") is { Length: > 0 } text && int.TryParse(text, out var n) && n > 0
            ? n
            : Environment.ProcessorCount;
        var setThreads = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(library, "ts_set_num_threads");
        if (setThreads(threads) != 0)
        {
            throw new TorchException($"could not set libtorch's thread count to {threads}");
        }
    }
}
