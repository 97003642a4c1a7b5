using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pipeline.Graph.Tests;

/// <summary>The built CLI (pipeline.dll, copied next to the tests) as a separate process.</summary>
internal static class PipelineProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static ProcessStartInfo Info(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pipeline.dll"));
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>A process left running, its stdout and stderr lines collected as they come.</summary>
    public sealed class Running(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public ConcurrentQueue<string> Lines { get; } = new();

        public bool Said(string text) => Lines.Any(l => l.Contains(text, StringComparison.Ordinal));

        public string Log => string.Join("\n", Lines);

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }

            Process.Dispose();
        }
    }

    public static Running Start(ProcessStartInfo info)
    {
        var running = new Running(Process.Start(info)!);
        running.Process.ErrorDataReceived += (_, e) => running.Lines.Enqueue(e.Data ?? "");
        running.Process.OutputDataReceived += (_, e) => running.Lines.Enqueue(e.Data ?? "");
        running.Process.BeginErrorReadLine();
        running.Process.BeginOutputReadLine();
        return running;
    }

    public static async Task<Result> RunAsync(ProcessStartInfo info)
    {
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await output, await error);
    }
}
