using System.Diagnostics;

namespace Pipeline.Cli.Tests;

/// <summary>A folder of numbered images is one video to `pose` and `train` too (prelabel's is tested with the PoseTrack walk-through).</summary>
public sealed class FrameFolderCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("frames-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>20 frames of the sample from second 30 as 000000.jpg …</summary>
    private async Task<string> FramesAsync()
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, "sequence")).FullName;
        using var ffmpeg = Process.Start("ffmpeg", ["-v", "error", "-ss", "30", "-i", "/usr/share/doc/opencv-doc/examples/data/vtest.avi", "-frames:v", "20", "-start_number", "0", Path.Combine(folder, "%06d.jpg")])!;
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
        return folder;
    }

    [Fact]
    public async Task PoseReadsTheFolderFrameByItsPosition()
    {
        var folder = await FramesAsync();
        var fromFolder = await CliRunner.RunAsync("pose", "--image", folder, "--frame", "5", "--json");
        var fromImage = await CliRunner.RunAsync("pose", "--image", Path.Combine(folder, "000005.jpg"), "--json");
        Assert.True(fromFolder.ExitCode == 0, fromFolder.Error);
        static string People(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("people").GetRawText();
        Assert.Equal(People(fromImage.Output), People(fromFolder.Output));
        Assert.Contains("keypoints", fromFolder.Output);

        var past = await CliRunner.RunAsync("pose", "--image", folder, "--frame", "20");
        Assert.Equal(1, past.ExitCode); // as for a frame past a video's end: an input that cannot be read
        Assert.Contains($"{folder}: cannot decode frame 20: the folder has 20 images", past.Error);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task TrainTakesAFolderOfImagesAsItsVideo()
    {
        var folder = await FramesAsync();
        var weights = Path.Combine(directory, "dsa.safetensors");
        var train = await CliRunner.RunAsync(
            "train", "--model", "dsa", "-i", folder, "--frames", "0-11", "--validation-frames", "12-19", "--steps", "2", "--batch-size", "2",
            "--validation-windows", "2", "--cache", Path.Combine(directory, "cache"), "-o", weights);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("self-distillation", train.Error);
        Assert.Contains("low-bitrate", train.Error); // the held-out versions, re-encoded from the images too
        Assert.Contains("trained:", train.Error);
        Assert.True(File.Exists(weights));
    }
}
