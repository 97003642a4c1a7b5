using System.Collections;
using System.Runtime.InteropServices;

namespace Pipeline.Torch;

/// <summary>
/// Runs the process on jemalloc, configured to keep freed memory for reuse. On these VMs a fresh
/// page costs ~7 µs to fault in, and glibc's malloc hands libtorch's large, short-lived tensors back
/// to the kernel: blocks above its mmap threshold (at most 32 MB) are unmapped on free, and a thread
/// arena's heap is unmapped as soon as it empties, so batched MoveNet Thunder on a thread-pool thread
/// took ~160,000 page faults per call and ran 2–3× slower than on our former libtorch shim's caching
/// allocator (which TorchSharp cannot install). glibc tunables set at process start
/// (<c>arena_max=1:mmap_max=0:trim_threshold=4 GB</c>) cured the faults but serialised every thread on
/// one arena (the graph end to end 0.93–0.99× the former speed); <c>mallopt</c> at run time does not
/// reach arenas that already exist (no gain). jemalloc with its purging off
/// (<c>dirty_decay_ms:-1,muzzy_decay_ms:-1</c>: about 500 faults per call) and per-thread caches gave
/// 1.02–1.09×. A preloaded allocator must be there when the process starts: run.sh, run.ps1, the
/// test settings and the container images set LD_PRELOAD and MALLOC_CONF, and a binary started
/// without them restarts itself with them (<see cref="RestartWithAllocatorIfNeeded"/>).
/// </summary>
public static partial class MallocTuning
{
    /// <summary>Set to "off" to run on glibc's malloc (to measure it, or to let a host get memory back).</summary>
    public const string Variable = "PIPELINE_MALLOC_TUNING";

    /// <summary>jemalloc's library (Debian and Ubuntu package libjemalloc2), as LD_PRELOAD names it.</summary>
    public const string Library = "libjemalloc.so.2";

    /// <summary>jemalloc's settings: never purge freed pages (they are reused within milliseconds).</summary>
    public const string Configuration = "dirty_decay_ms:-1,muzzy_decay_ms:-1";

    private static readonly string[] LibraryFolders = ["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"];

    /// <summary>Which allocator this process runs on, for selfcheck and run manifests.</summary>
    public static string Describe() => JemallocLoaded() ? $"jemalloc ({Environment.GetEnvironmentVariable("MALLOC_CONF")})" : "glibc malloc";

    /// <summary>Whether jemalloc is mapped into this process.</summary>
    public static bool JemallocLoaded()
    {
        try
        {
            return File.ReadLines("/proc/self/maps").Any(line => line.Contains("/libjemalloc.so", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>MALLOC_CONF with ours added to what the user set (the user's values stand).</summary>
    public static string MergeConfiguration(string? configuration)
    {
        var set = (configuration ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
        var names = set.Select(t => t.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        set.AddRange(Configuration.Split(',').Where(t => !names.Contains(t.Split(':')[0])));
        return string.Join(',', set);
    }

    /// <summary>The installed jemalloc, or null.</summary>
    public static string? FindLibrary() => LibraryFolders.Select(f => Path.Combine(f, Library)).FirstOrDefault(File.Exists);

    /// <summary>
    /// On Linux, when jemalloc is not loaded, or loaded without our settings in MALLOC_CONF (and the tuning is not switched off), replaces this
    /// process with a fresh copy of itself — same pid, arguments and standard streams — preloading it.
    /// Call it first thing in Main: nothing done before it survives. Returns when no restart is
    /// needed, or cannot happen (jemalloc not installed: a one-line warning, then glibc's malloc).
    /// </summary>
    public static void RestartWithAllocatorIfNeeded()
    {
        if (!OperatingSystem.IsLinux() || string.Equals(Environment.GetEnvironmentVariable(Variable), "off", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        // jemalloc preloaded by the user without our settings purges as glibc does (measured: training
        // 3x slower); it reads MALLOC_CONF only at start-up, so that too needs a restart.
        var configuration = Environment.GetEnvironmentVariable("MALLOC_CONF") ?? "";
        var loaded = JemallocLoaded();
        if (loaded && MergeConfiguration(configuration) == configuration)
        {
            return;
        }

        var library = FindLibrary();
        // A restart that did not load it (a loader that ignores LD_PRELOAD) must not loop.
        if (Environment.GetEnvironmentVariable("PIPELINE_MALLOC_RESTARTED") == "1" || (!loaded && library is null))
        {
            if (!loaded)
            {
                Console.Error.WriteLine($"warning: {Library} is not {(library is null ? "installed (Debian/Ubuntu package libjemalloc2)" : "loadable")}: running on glibc's malloc, " +
                    $"which returns libtorch's memory to the kernel after every op (pose models up to 2-3x slower). Set {Variable}=off to silence this.");
            }

            return;
        }

        try
        {
            var argv = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
            var existing = Environment.GetEnvironmentVariable("LD_PRELOAD");
            var preload = loaded ? existing : existing is { Length: > 0 } ? $"{library}:{existing}" : library;
            var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
                .Where(e => (string)e.Key is not ("LD_PRELOAD" or "MALLOC_CONF"))
                .Select(e => $"{e.Key}={e.Value}")
                .Append($"LD_PRELOAD={preload}")
                .Append($"MALLOC_CONF={MergeConfiguration(Environment.GetEnvironmentVariable("MALLOC_CONF"))}")
                .Append("PIPELINE_MALLOC_RESTARTED=1")
                .ToArray();
            Exec("/proc/self/exe", argv, environment);
        }
        catch (IOException)
        {
            // No /proc: run on glibc's malloc.
        }
    }

    // execve only returns on failure; then the process carries on untuned.
    private static void Exec(string path, string[] argv, string[] environment)
    {
        var strings = new List<IntPtr>();
        IntPtr[] Terminated(string[] values)
        {
            var pointers = values.Select(v => Marshal.StringToCoTaskMemUTF8(v)).ToList();
            strings.AddRange(pointers);
            return [.. pointers, IntPtr.Zero];
        }

        try
        {
            _ = execve(path, Terminated(argv), Terminated(environment));
        }
        finally
        {
            strings.ForEach(Marshal.FreeCoTaskMem);
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "execve", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int execve(string path, IntPtr[] argv, IntPtr[] envp);
}
