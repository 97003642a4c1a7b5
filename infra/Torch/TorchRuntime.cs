using System.Globalization;
using TorchSharp;

namespace Pipeline.Torch;

/// <summary>
/// Loads TorchSharp's native runtime once per process and tunes it, before any torch work: a
/// check that the host's C++ runtime can load
/// TorchSharp's native library (<see cref="NativeLibraryCheck"/>, a clear error instead of a loader
/// trace), and libtorch's intra-op thread count. Every entry point calls <see cref="Initialize"/>
/// first: the CLI, and each test assembly through a module initializer.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Environment variable with libtorch's intra-op thread count (default: one per processor).</summary>
    public const string ThreadsVariable = "PIPELINE_TORCH_THREADS";

    private static readonly Lock Gate = new();
    private static bool initialized;

    /// <summary>The intra-op thread count set at initialisation.</summary>
    public static int Threads { get; private set; }

    /// <summary>libtorch's version, e.g. "2.10.0".</summary>
    public static string LibTorchVersion => torch.NormalizeNuGetVersion(torch.__version__);

    /// <summary>TorchSharp's version, e.g. "0.107.0".</summary>
    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "unknown";

    /// <summary>Idempotent; throws <see cref="TorchRuntimeException"/> when the runtime cannot load.</summary>
    public static void Initialize()
    {
        lock (Gate)
        {
            if (initialized)
            {
                return;
            }

            NativeLibraryCheck.ThrowIfCannotLoad(AppContext.BaseDirectory);
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or InvalidOperationException)
            {
                var first = (e.InnerException ?? e).Message.Split('\n', 2)[0].Trim();
                throw new TorchRuntimeException($"TorchSharp's native runtime did not load from {AppContext.BaseDirectory}: {first} Run './run.sh setup' to build and place it.", e);
            }

            // libtorch's default is not reliable across builds and hosts (Debian's 1.13 used one
            // thread here), and each thread keeps the OpenMP count it first ran a parallel op
            // with: set it explicitly, before any parallel op.
            Threads = ThreadCount(Environment.GetEnvironmentVariable(ThreadsVariable));
            torch.set_num_threads(Threads);
            initialized = true;
        }
    }

    internal static int ThreadCount(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return Environment.ProcessorCount;
        }

        return int.TryParse(setting, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new TorchRuntimeException($"{ThreadsVariable}='{setting}' is not a positive whole number of threads");
    }
}

/// <summary>The torch runtime could not be loaded or configured; the message says what to do.</summary>
public sealed class TorchRuntimeException(string message, Exception? inner = null) : Exception(message, inner);
