using System.Diagnostics;

namespace Pipeline.Cli.Tests;

public sealed class RenderCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("render-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task DrawsAPrelabelOutputOverItsVideo()
    {
        var clip = Path.Combine(directory, "clip.mp4");
        using (var ffmpeg = Process.Start("ffmpeg", ["-v", "error", "-ss", "20", "-t", "1", "-i", "/usr/share/doc/opencv-doc/examples/data/vtest.avi", "-an", "-c:v", "libx264", "-preset", "veryfast", clip])!)
        {
            await ffmpeg.WaitForExitAsync();
            Assert.Equal(0, ffmpeg.ExitCode);
        }

        var output = Path.Combine(directory, "out");
        var prelabel = await CliRunner.RunAsync("prelabel", "--input", clip, "--output", output, "--model", "movenet-lightning", "--quiet");
        Assert.True(prelabel.ExitCode == 0, prelabel.Error);
        var parquet = Assert.Single(Directory.GetFiles(output, "*.parquet"));

        var movie = Path.Combine(directory, "drawn.mp4");
        var render = await CliRunner.RunAsync("render", "--parquet", parquet, "--video", clip, "--out", movie);
        Assert.True(render.ExitCode == 0, render.Error);
        Assert.Matches(@"rendered 10 frames with [1-9]\d* poses", render.Output);
        Assert.True(new FileInfo(movie).Length > 10_000);

        var missing = await CliRunner.RunAsync("render", "--parquet", Path.Combine(directory, "none.parquet"), "--video", clip, "--out", movie);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("none.parquet", missing.Error);
    }
}
