using System.Diagnostics;

namespace Pipeline.Stages.Decode;

/// <summary>Runs the FFmpeg command-line tools with arguments passed verbatim (no shell).</summary>
public static class FfmpegProcess
{
    public static string Executable => Environment.GetEnvironmentVariable("PIPELINE_FFMPEG") is { Length: > 0 } path ? path : "ffmpeg";

    public static Process Start(IEnumerable<string> arguments, bool redirectInput = false, string? executable = null)
    {
        var info = new ProcessStartInfo(executable ?? Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run '{info.FileName}': {e.Message}. Install FFmpeg ('./run.sh setup' does) or set PIPELINE_FFMPEG / PIPELINE_FFPROBE.", e);
        }
    }

    /// <summary>FFmpeg's version string (e.g. "5.1.8-0+deb12u1"), or "unknown".</summary>
    public static string Version()
    {
        try
        {
            using var process = Start(["-version"]);
            var first = process.StandardOutput.ReadLine() ?? "";
            process.WaitForExit();
            var parts = first.Split(' ');
            return parts.Length > 2 && parts[0] == "ffmpeg" ? parts[2] : "unknown";
        }
        catch (InvalidOperationException)
        {
            return "unknown";
        }
    }

    /// <summary>The last lines FFmpeg wrote to stderr, for error messages.</summary>
    public static string Tail(string stderr, int lines = 3) =>
        string.Join(" | ", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(lines));
}
