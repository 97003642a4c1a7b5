using System.Diagnostics;

namespace Pipeline.Cli.Tests;

/// <summary>Runs the built CLI (pipeline.dll, copied next to the tests) as a separate process.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Task<Result> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string?>(), arguments);

    /// <summary>Runs with <paramref name="environment"/> changed (a null value removes the variable).</summary>
    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pipeline.dll"));
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await output, await error);
    }
}
