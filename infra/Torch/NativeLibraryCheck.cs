using System.Text;

namespace Pipeline.Torch;

/// <summary>
/// TorchSharp 0.107's native library (libLibTorchSharp.so) needs one symbol of GCC 13's C++ runtime
/// (GLIBCXX_3.4.32: <c>std::ios_base_library_init()</c>); Debian 12's libstdc++ stops at 3.4.30.
/// On such hosts <c>./run.sh setup</c> builds a patched copy plus a small library that defines the
/// symbol (infra/torchsharp/compat.sh), and the build puts both where TorchSharp loads its native
/// files. This check runs before TorchSharp's first use, so a host without that step gets one
/// sentence saying what is missing and what to run — not TorchSharp's loader trace, and not its
/// fallback of copying native files out of the NuGet cache at run time.
/// </summary>
public static class NativeLibraryCheck
{
    /// <summary>TorchSharp's native library on Linux.</summary>
    public const string LibraryFile = "libLibTorchSharp.so";

    /// <summary>The small library the compatibility step adds next to the patched copy.</summary>
    public const string CompatLibraryFile = "libstdcxx_ios_init.so";

    /// <summary>The C++ runtime version TorchSharp's native library asks for.</summary>
    public const string RequiredVersion = "GLIBCXX_3.4.32";

    internal static void ThrowIfCannotLoad(string appDirectory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var problem = Diagnose(appDirectory, LoadedLibStdCxx());
        if (problem is not null)
        {
            throw new TorchRuntimeException(problem);
        }
    }

    /// <summary>Why TorchSharp's native library cannot load from <paramref name="appDirectory"/>, or null if it can.</summary>
    internal static string? Diagnose(string appDirectory, string? libStdCxx)
    {
        var library = FindLibrary(appDirectory);
        if (library is null)
        {
            return $"TorchSharp's native library ({LibraryFile}) is not in {appDirectory} (nor its runtimes/linux-x64/native folder): " +
                "the build did not place it. Run './run.sh setup'.";
        }

        if (File.Exists(Path.Combine(Path.GetDirectoryName(library)!, CompatLibraryFile)) || libStdCxx is null || Provides(libStdCxx, RequiredVersion))
        {
            return null;
        }

        return $"TorchSharp's native library {library} needs {RequiredVersion} (the C++ runtime of GCC 13 or newer), " +
            $"but this host's {libStdCxx} is older and the compatible copy is missing. Run './run.sh setup': on such hosts it " +
            "builds one into the build output (README, 'Loading on older C++ runtimes').";
    }

    internal static string? FindLibrary(string appDirectory) =>
        new[] { Path.Combine(appDirectory, LibraryFile), Path.Combine(appDirectory, "runtimes", "linux-x64", "native", LibraryFile) }
            .FirstOrDefault(File.Exists);

    /// <summary>The libstdc++ the .NET runtime itself has loaded (the one TorchSharp would get).</summary>
    internal static string? LoadedLibStdCxx()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]).StartsWith("libstdc++.so", StringComparison.Ordinal))
                .Select(fields => fields[5])
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Whether a shared library defines a symbol version (its name, NUL-terminated, in the file).</summary>
    internal static bool Provides(string libraryPath, string version)
    {
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        return File.ReadAllBytes(libraryPath).AsSpan().IndexOf(needle) >= 0;
    }
}
