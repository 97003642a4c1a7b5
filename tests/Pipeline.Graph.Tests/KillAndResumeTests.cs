using System.Diagnostics;
using static Pipeline.Testing.ParquetQuery;

namespace Pipeline.Graph.Tests;

/// <summary>A run killed with SIGKILL and started again ends with exactly the rows of an uninterrupted run.</summary>
public sealed class KillAndResumeTests : IDisposable
{
    private readonly Clips clips = new();
    private readonly string reference = Directory.CreateTempSubdirectory("resume-reference-").FullName;
    private readonly string interrupted = Directory.CreateTempSubdirectory("resume-killed-").FullName;

    public void Dispose()
    {
        clips.Dispose();
        Directory.Delete(reference, recursive: true);
        Directory.Delete(interrupted, recursive: true);
    }

    private static ProcessStartInfo Prelabel(string output, IEnumerable<string> inputs) =>
        PipelineProcess.Info(["prelabel", "--output", output, "--model", "movenet-lightning", "--quiet", .. inputs.SelectMany(i => new[] { "--input", i })]);

    private static async Task RunToEndAsync(ProcessStartInfo info)
    {
        var result = await PipelineProcess.RunAsync(info);
        Assert.True(result.ExitCode == 0, result.Error + result.Output);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task KilledRunResumesToTheSameParquetContents()
    {
        var inputs = new[] { clips.Cut("a.mp4", 5, 2), clips.Cut("b.mp4", 25, 2), clips.Cut("c.mp4", 45, 2), clips.Cut("d.mp4", 65, 2) };
        await RunToEndAsync(Prelabel(reference, inputs));

        // Kill as soon as the first video is committed: others are mid-flight.
        using (var victim = Process.Start(Prelabel(interrupted, inputs))!)
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (Directory.GetFiles(interrupted, "*.parquet").Length == 0 && !victim.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.False(victim.HasExited, "the run finished before it could be killed");
            victim.Kill(); // SIGKILL on Linux
            await victim.WaitForExitAsync();
        }

        // Nothing partial under a final name: every Parquet file there is complete and readable.
        var committed = Directory.GetFiles(interrupted, "*.parquet");
        Assert.InRange(committed.Length, 1, inputs.Length - 1);
        foreach (var file in committed)
        {
            Assert.True(Long($"SELECT count(*) FROM {Read(file)}") >= 0);
        }

        await RunToEndAsync(Prelabel(interrupted, inputs));
        AssertSameFiles(reference, interrupted, inputs.Length);
        Assert.Empty(Directory.GetFiles(interrupted, "*.tmp"));
    }
}
