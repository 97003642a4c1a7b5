using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Run;
using Pipeline.Stages.Pose.Temporal;
using static Pipeline.Testing.ParquetQuery;

namespace Pipeline.Graph.Tests;

/// <summary>
/// The prelabel job with the temporal models, on clips cut from the sample at test time. The heads'
/// weights are written by the test from a fresh head (which starts as the identity: the backbone's
/// answer), so these tests check the framework's plumbing whatever the shipped weights are.
/// </summary>
public sealed class TemporalPrelabelTests : IDisposable
{
    private readonly Clips clips = new();
    private readonly string root = Directory.CreateTempSubdirectory("temporal-prelabel-").FullName;

    public void Dispose()
    {
        clips.Dispose();
        Directory.Delete(root, recursive: true);
    }

    private string Weights(string model)
    {
        var path = Path.Combine(root, model + ".safetensors");
        if (!File.Exists(path))
        {
            using var head = TemporalModels.Create(model);
            TemporalWeights.Save(path, head, new Dictionary<string, string>());
        }

        return path;
    }

    private async Task<RunManifest> RunAsync(string output, IReadOnlyList<string> inputs, string model, NeighbourCrops crops = NeighbourCrops.OwnBox, int detectEvery = 1, string[]? devices = null)
    {
        var options = new PrelabelOptions
        {
            Output = output,
            Model = model,
            Weights = TemporalModels.Names.Contains(model) ? Weights(model) : null,
            NeighbourCrops = crops,
            DetectEvery = detectEvery,
            Devices = devices ?? ["cpu"],
        };
        return await new PrelabelRunner(options, NullLogger.Instance).RunAsync(await InputResolver.ResolveAsync(inputs), inputs);
    }

    private static string Keys(string parquet) =>
        string.Join(",", Rows($"SELECT track_id, frame_index FROM {Read(parquet)} ORDER BY ALL").Select(r => $"{r[0]}@{r[1]}"));

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("fasrnet", 1)]
    [InlineData("fasrnet-s8", 2)]
    [InlineData("dsa", 3)]
    [InlineData("dsa-s8", 1)]
    [InlineData("vremd", 2)]
    [InlineData("continuity", 1)]
    [InlineData("sdtc", 1)]
    public async Task EveryTrackedPersonFrameGetsOneRowAsWithTheSingleFrameModel(string model, int detectEvery)
    {
        // People walk in and out of this clip, so tracks start and end mid-window.
        var inputs = new[] { clips.Cut("a.mp4", 12, 1.5), clips.Cut("b.mp4", 50, 1) };
        var single = await RunAsync(Path.Combine(root, "thunder"), inputs, "movenet-thunder", detectEvery: detectEvery);
        var temporal = await RunAsync(Path.Combine(root, model), inputs, model, detectEvery: detectEvery, devices: ["cpu", "cpu"]);
        var keyBox = await RunAsync(Path.Combine(root, model + "-key-box"), inputs, model, NeighbourCrops.KeyBox, detectEvery);

        foreach (var (a, b, c) in single.Videos.Zip(temporal.Videos, keyBox.Videos))
        {
            Assert.Equal("done", b.Status);
            Assert.Equal("done", c.Status);
            Assert.True(a.Rows > 20, $"{a.Rows} rows");
            Assert.Equal(Keys(a.Output!), Keys(b.Output!));
            Assert.Equal(Keys(a.Output!), Keys(c.Output!));
            Assert.Equal(1, Long($"SELECT count(*) FROM (SELECT DISTINCT model, weights_sha256 FROM {Read(b.Output!)} WHERE model = '{model}' AND length(weights_sha256) = 64)"));
            Assert.Equal(1, Long($"SELECT count(DISTINCT model) FROM {Read(c.Output!)} WHERE model = '{model}+key-box'"));
            Assert.NotEqual(Rows($"SELECT DISTINCT weights_sha256 FROM {Read(a.Output!)}")[0][0], Rows($"SELECT DISTINCT weights_sha256 FROM {Read(b.Output!)}")[0][0]);
        }

        // Tracks that start after the clip's first frame and end before its last are there (mid-window ends).
        var first = temporal.Videos[0].Output!;
        Assert.True(Long($"SELECT count(*) FROM (SELECT track_id FROM {Read(first)} GROUP BY track_id HAVING min(frame_index) > 0 OR max(frame_index) < 14)") > 0);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task AKilledTemporalRunResumesToTheSameRows()
    {
        var inputs = new[] { clips.Cut("a.mp4", 5, 1.5), clips.Cut("b.mp4", 25, 1.5), clips.Cut("c.mp4", 45, 1.5), clips.Cut("d.mp4", 65, 1.5) };
        ProcessStartInfo Prelabel(string output) =>
            PipelineProcess.Info(["prelabel", "--output", output, "--model", "fasrnet", "--weights", Weights("fasrnet"), "--quiet", .. inputs.SelectMany(i => new[] { "--input", i })]);
        var reference = Path.Combine(root, "reference");
        var interrupted = Path.Combine(root, "interrupted");
        var done = await PipelineProcess.RunAsync(Prelabel(reference));
        Assert.True(done.ExitCode == 0, done.Error);

        Directory.CreateDirectory(interrupted);
        using (var victim = Process.Start(Prelabel(interrupted))!)
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (Directory.GetFiles(interrupted, "*.parquet").Length == 0 && !victim.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.False(victim.HasExited, "the run finished before it could be killed");
            victim.Kill();
            await victim.WaitForExitAsync();
        }

        Assert.InRange(Directory.GetFiles(interrupted, "*.parquet").Length, 1, inputs.Length - 1);
        var resumed = await PipelineProcess.RunAsync(Prelabel(interrupted));
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        AssertSameFiles(reference, interrupted, inputs.Length);
    }

    [Fact]
    public async Task MissingOrForeignWeightsStopTheRunNamingTheFileAndTheTrainCommand()
    {
        var clip = clips.Cut("a.mp4", 12, 0.5);
        var missing = Path.Combine(root, "nothing-here.safetensors");
        var result = await PipelineProcess.RunAsync(PipelineProcess.Info(["prelabel", "--output", Path.Combine(root, "out"), "--model", "fasrnet", "--weights", missing, "--input", clip]));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(missing, result.Error);
        Assert.Contains("./run.sh train --model fasrnet", result.Error);

        result = await PipelineProcess.RunAsync(PipelineProcess.Info(["prelabel", "--output", Path.Combine(root, "out"), "--model", "fasrnet", "--weights", Weights("dsa"), "--input", clip]));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("model 'dsa', not 'fasrnet'", result.Error);
    }
}
