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

    public static async Task<Result> RunAsync(ProcessStartInfo info)
    {
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await output, await error);
    }
}
