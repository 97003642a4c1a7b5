using Pipeline.Stages.Decode;

namespace Pipeline.Graph.Tests;

public sealed class DecodeTests : IDisposable
{
    private readonly Clips clips = new();

    public void Dispose() => clips.Dispose();

    [Theory]
    [InlineData("clip.mp4", "-c:v", "libx264")]
    [InlineData("clip.mkv", "-c:v", "libx264")]
    [InlineData("clip.webm", "-c:v", "libvpx-vp9", "-b:v", "400k")]
    [InlineData("clip.mpg", "-c:v", "mpeg2video")]
    [InlineData("clip.ogv", "-c:v", "libtheora")]
    [InlineData("clip.avi", "-c:v", "msmpeg4")]
    [InlineData("clip4.avi", "-c:v", "mpeg4")]
    public async Task CommonContainersDecodeWithIncreasingPresentationTimes(string name, params string[] encode)
    {
        var path = clips.Cut(name, 30, 1, encode);
        var statistics = new DecodeStatistics();
        var frames = new List<DecodedFrame>();
        await foreach (var f in VideoDecoder.DecodeAsync(path, statistics))
        {
            frames.Add(f);
        }

        Assert.Equal(10, frames.Count);
        Assert.Equal(10, statistics.Frames);
        Assert.All(frames, f => Assert.Equal((768, 576), (f.Image.Width, f.Image.Height)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), frames.Select(f => f.Index));
        for (var i = 1; i < frames.Count; i++)
        {
            Assert.Equal(0.1, frames[i].PresentationTime - frames[i - 1].PresentationTime, 3);
        }
    }

    [Fact]
    public async Task VariableFrameRateKeepsEachFramesOwnTime()
    {
        // Drop every other frame after the first 5: timestamps jump from 0.1 s to 0.2 s steps.
        var path = clips.Cut("vfr.mkv", 30, 2, "-vf", "select='lt(n\\,5)+not(mod(n\\,2))'", "-fps_mode", "vfr", "-c:v", "libx264");
        var times = new List<double>();
        await foreach (var f in VideoDecoder.DecodeAsync(path, new DecodeStatistics()))
        {
            times.Add(f.PresentationTime);
        }

        var steps = times.Zip(times.Skip(1), (a, b) => Math.Round(b - a, 3)).ToList();
        Assert.Contains(0.1, steps);
        Assert.Contains(0.2, steps);
    }

    [Fact]
    public async Task RotationMetadataIsHonoured()
    {
        var source = clips.Cut("upright.mp4", 30, 0.5);
        var path = Path.Combine(clips.Directory, "rotated.mp4");
        // FFmpeg writes the display-matrix rotation when remuxing with a rotate tag.
        Clips.Run("ffmpeg", ["-v", "error", "-y", "-i", source, "-c", "copy", "-metadata:s:v:0", "rotate=90", path]);
        var info = await VideoProbe.ProbeAsync(path);
        Assert.Equal(90, Math.Abs(info.Rotation));
        await foreach (var f in VideoDecoder.DecodeAsync(path, new DecodeStatistics()))
        {
            Assert.Equal((576, 768), (f.Image.Width, f.Image.Height));
            Assert.Equal(info.DisplaySize, (f.Image.Width, f.Image.Height));
            break;
        }
    }

    [Fact]
    public async Task UnreadableFilesFailWithTheirNameAndReason()
    {
        var empty = Path.Combine(clips.Directory, "empty.mp4");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty (0 bytes)", (await Assert.ThrowsAsync<InvalidDataException>(() => VideoProbe.ProbeAsync(empty))).Message);
        var text = Path.Combine(clips.Directory, "notes.mp4");
        File.WriteAllText(text, "not a video at all\n");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => VideoProbe.ProbeAsync(text));
        Assert.Contains(text, error.Message);
        Assert.Contains("not a readable media file", error.Message);
    }
}
