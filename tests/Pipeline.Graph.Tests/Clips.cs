using System.Diagnostics;

namespace Pipeline.Graph.Tests;

/// <summary>Clips cut from the sample video at test time with FFmpeg, into a temporary folder.</summary>
internal sealed class Clips : IDisposable
{
    public const string Sample = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    public Clips() => Directory = System.IO.Directory.CreateTempSubdirectory("clips-").FullName;

    public string Directory { get; }

    /// <summary>Cuts [start, start + seconds) of the sample into <paramref name="name"/>, encoded with the given FFmpeg arguments.</summary>
    public string Cut(string name, double start, double seconds, params string[] encode)
    {
        var path = Path.Combine(Directory, name);
        var arguments = new List<string> { "-v", "error", "-y", "-ss", start.ToString(System.Globalization.CultureInfo.InvariantCulture), "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", Sample, "-an" };
        arguments.AddRange(encode.Length > 0 ? encode : ["-c:v", "libx264", "-preset", "veryfast"]);
        arguments.Add(path);
        Run("ffmpeg", arguments);
        return path;
    }

    public static void Run(string tool, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed: {errors}");
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
