namespace Pipeline.Cli.Tests;

/// <summary>Refused options and inputs exit with 2 (not retried by the Kubernetes Jobs), naming what is wrong, before any work.</summary>
public sealed class ExitCodeTests : IDisposable
{
    private const string Sample = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
    private readonly string directory = Directory.CreateTempSubdirectory("exit-codes-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task ADeviceThisMachineLacksIsRefusedBeforeAnyWorkNamingTheDevicesThereAre()
    {
        var output = Path.Combine(directory, "out");
        var prelabel = await CliRunner.RunAsync("prelabel", "--output", output, "--device", "cuda:7", "--quiet");
        Assert.Equal(2, prelabel.ExitCode);
        Assert.Equal("prelabel: device 'cuda:7' does not exist on this machine; it has: cpu", prelabel.Error.Trim());
        Assert.False(Directory.Exists(output), "nothing may be written for a refused run");

        var pose = await CliRunner.RunAsync("pose", "--image", Sample, "--device", "cuda");
        Assert.Equal(2, pose.ExitCode);
        Assert.Contains("device 'cuda' does not exist on this machine; it has: cpu", pose.Error);
        Assert.DoesNotContain("   at ", pose.Error); // one line, no stack trace
    }

    [Fact]
    public async Task AMalformedManifestLineIsRefusedNamingTheLine()
    {
        var manifest = Path.Combine(directory, "videos.jsonl");
        File.WriteAllLines(manifest, [$"{{\"uri\": \"{Sample}\"}}", "{\"url\": \"typo.mp4\"}"]);
        var result = await CliRunner.RunAsync("prelabel", "--input", manifest, "--output", Path.Combine(directory, "out"), "--quiet");
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"prelabel: {manifest}:2:", result.Error.Trim());
    }

    [Fact]
    public async Task AWeightsFileIsRefusedForASingleFrameModelAndWhenMissing()
    {
        var weights = Path.Combine(directory, "head.safetensors");
        File.WriteAllBytes(weights, [0]);
        var output = Path.Combine(directory, "out");
        var prelabel = await CliRunner.RunAsync("prelabel", "--output", output, "--model", "movenet-thunder", "--weights", weights, "--quiet");
        Assert.Equal(2, prelabel.ExitCode);
        Assert.Contains($"--weights {weights}: --model movenet-thunder takes no weights file", prelabel.Error);
        Assert.False(Directory.Exists(output), "nothing may be written for a refused run");

        var pose = await CliRunner.RunAsync("pose", "--image", Sample, "--model", "movenet-lightning", "--weights", weights);
        Assert.Equal(2, pose.ExitCode);
        Assert.Contains($"--weights {weights}: --model movenet-lightning takes no weights file", pose.Error);
        var benchThunder = await CliRunner.RunAsync("bench", "pipeline", "--model", "movenet-thunder", "--weights", weights, "--skip-memory");
        Assert.Equal(2, benchThunder.ExitCode);
        Assert.Contains($"--weights {weights}: --model movenet-thunder takes no weights file", benchThunder.Error);

        var missing = Path.Combine(directory, "missing.safetensors");
        var bench = await CliRunner.RunAsync("bench", "pipeline", "--model", "fasrnet-s8", "--weights", missing, "--seconds", "1", "--skip-memory");
        Assert.Equal(2, bench.ExitCode);
        Assert.Contains($"weights of 'fasrnet-s8' not found: {missing}; train it with './run.sh train --model fasrnet-s8", bench.Error);
        var truncated = Path.Combine(directory, "truncated.safetensors");
        File.WriteAllBytes(truncated, [1, 2, 3]);
        var benchTruncated = await CliRunner.RunAsync("bench", "pipeline", "--model", "dsa-s8", "--weights", truncated, "--seconds", "1", "--skip-memory");
        Assert.Equal(2, benchTruncated.ExitCode); // a --weights file is an input: refused with 2, as a missing one
        Assert.Contains($"weights of 'dsa-s8' unreadable: {truncated}: not a safetensors file", benchTruncated.Error);
        var prelabelTruncated = await CliRunner.RunAsync("prelabel", "--output", output, "--model", "fasrnet-s8", "--weights", truncated, "--quiet");
        Assert.Equal(2, prelabelTruncated.ExitCode);
        Assert.Contains($"weights of 'fasrnet-s8' unreadable: {truncated}: not a safetensors file", prelabelTruncated.Error);
        Assert.False(Directory.Exists(output), "nothing may be written for a refused run");
        var poseTruncated = await CliRunner.RunAsync("pose", "--image", Sample, "--model", "dsa", "--weights", truncated);
        Assert.Equal(2, poseTruncated.ExitCode);
        Assert.Contains($"weights of 'dsa' unreadable: {truncated}", poseTruncated.Error);
    }

    [Fact]
    public async Task BenchTemporalRefusesABadFileInItsWeightsFolderBeforeBuildingAnyCache()
    {
        var weights = Directory.CreateDirectory(Path.Combine(directory, "weights")).FullName;
        var truncated = Path.Combine(weights, "dsa-s8.safetensors");
        File.WriteAllBytes(truncated, [1, 2, 3]);
        var cache = Path.Combine(directory, "cache");
        var result = await CliRunner.RunAsync("bench", "temporal", "--weights", weights, "--model", "dsa-s8", "--cache", cache, "--skip-key-box");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"bench temporal: weights of 'dsa-s8' unreadable: {truncated}: not a safetensors file", result.Error);
        Assert.False(Directory.Exists(cache), "the backbone cache (minutes of work) must not be built for a refused run");
    }

    [Fact]
    public async Task UnknownOptionsAndBadValuesExitWithTwo()
    {
        var unknown = await CliRunner.RunAsync("prelabel", "--output", directory, "--frobnicate");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--frobnicate", unknown.Error);
        var badValue = await CliRunner.RunAsync("prelabel", "--output", directory, "--max-batch", "many");
        Assert.Equal(2, badValue.ExitCode);
        Assert.Contains("many", badValue.Error);
        var zero = await CliRunner.RunAsync("prelabel", "--output", directory, "--max-batch", "0");
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("max-batch", zero.Error);
        var noPairs = await CliRunner.RunAsync("bench", "pipeline", "--model", "fasrnet-s8", "--pairs", "0", "--skip-memory");
        Assert.Equal(2, noPairs.ExitCode);
        Assert.Contains("--pairs must be at least 1", noPairs.Error);
    }
}
