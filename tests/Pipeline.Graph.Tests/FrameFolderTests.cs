using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Run;
using Pipeline.Stages.Decode;
using static Pipeline.Testing.ParquetQuery;

namespace Pipeline.Graph.Tests;

/// <summary>Folders of numbered images (PoseTrack's sequences) as videos: order, timing, names, a damaged image, discovery.</summary>
public sealed class FrameFolderTests : IDisposable
{
    private readonly Clips clips = new();

    public void Dispose() => clips.Dispose();

    /// <summary>Ten frames of the sample as 000000.jpg … 000009.jpg in <paramref name="name"/>.</summary>
    private string Frames(string name, int count = 10)
    {
        var folder = Directory.CreateDirectory(Path.Combine(clips.Directory, name)).FullName;
        Clips.Run("ffmpeg", ["-v", "error", "-ss", "20", "-i", Clips.Sample, "-frames:v", $"{count}", "-start_number", "0", Path.Combine(folder, "%06d.jpg")]);
        return folder;
    }

    [Fact]
    public void ImagesAreOrderedByTheNumberInTheirNames()
    {
        var folder = Directory.CreateDirectory(Path.Combine(clips.Directory, "numbers")).FullName;
        foreach (var name in new[] { "frame_10.png", "frame_2.png", "frame_1.png", "notes.txt" })
        {
            File.WriteAllBytes(Path.Combine(folder, name), []);
        }

        Assert.Equal(["frame_1.png", "frame_2.png", "frame_10.png"], FrameFolder.Frames(folder).Select(Path.GetFileName));
        Assert.True(FrameFolder.IsFrameFolder(folder));
        Assert.False(FrameFolder.IsFrameFolder(clips.Directory));
    }

    [Fact]
    public async Task AFolderDecodesAsAVideoAtTheGivenRateAndEachFrameKeepsItsName()
    {
        var folder = Frames("seq");
        var info = await VideoProbe.ProbeAsync(folder, frameRate: 10);
        Assert.Equal((768, 576, 10L, 10.0, 1.0), (info.Width, info.Height, info.FrameCount!.Value, info.FrameRate, info.DurationSeconds));

        var frames = new List<DecodedFrame>();
        await foreach (var f in VideoDecoder.DecodeAsync(folder, new DecodeStatistics(), frameRate: 10))
        {
            frames.Add(f);
        }

        var names = FrameFolder.Frames(folder);
        Assert.Equal(10, frames.Count);
        Assert.All(frames, f => Assert.Equal((768, 576), (f.Image.Width, f.Image.Height)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i / 10.0), frames.Select(f => Math.Round(f.PresentationTime, 6)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i:000000}.jpg"), frames.Select(f => FrameFolder.NameAt(names, f.PresentationTime, 10)));

        // The pixels are the images' own (decoded by FFmpeg either way).
        var still = await StillFrames.ReadAsync(names[3]);
        Assert.Equal(still.Pixels, frames[3].Image.Pixels);
    }

    [Fact]
    public async Task ADamagedImageIsSkippedAndTheFramesAfterItKeepTheirNames()
    {
        var folder = Frames("damaged");
        File.WriteAllText(Path.Combine(folder, "000004.jpg"), "not a jpeg");
        var statistics = new DecodeStatistics();
        var frames = new List<DecodedFrame>();
        await foreach (var f in VideoDecoder.DecodeAsync(folder, statistics))
        {
            frames.Add(f);
        }

        var names = FrameFolder.Frames(folder);
        Assert.Equal(9, frames.Count);
        Assert.True(statistics.UndecodableFrames >= 1);
        Assert.Equal(["000000.jpg", "000001.jpg", "000002.jpg", "000003.jpg", "000005.jpg", "000006.jpg", "000007.jpg", "000008.jpg", "000009.jpg"],
            frames.Select(f => FrameFolder.NameAt(names, f.PresentationTime, FrameFolder.DefaultFrameRate)));
    }

    [Fact]
    public async Task EachFolderOfImagesIsOneVideoUnlessItHoldsVideos()
    {
        var root = Directory.CreateDirectory(Path.Combine(clips.Directory, "images", "val")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "000342_mpii_test"));
        Directory.CreateDirectory(Path.Combine(root, "000522_mpii_test"));
        File.WriteAllBytes(Path.Combine(root, "000342_mpii_test", "000000.jpg"), []);
        File.WriteAllBytes(Path.Combine(root, "000522_mpii_test", "000000.jpg"), []);
        var mixed = Directory.CreateDirectory(Path.Combine(root, "mixed")).FullName;
        File.WriteAllBytes(Path.Combine(mixed, "poster.jpg"), []);
        File.WriteAllBytes(Path.Combine(mixed, "talk.mp4"), []);

        var tasks = await InputResolver.ResolveAsync([Path.Combine(clips.Directory, "images")]);
        Assert.Equal(["000342_mpii_test", "000522_mpii_test", "talk.mp4"], tasks.Select(t => Path.GetFileName(t.Uri)));
        Assert.StartsWith("000342_mpii_test-", tasks[0].VideoId);
        Assert.Equal(tasks[0].VideoId, (await InputResolver.ResolveAsync([Path.Combine(root, "000342_mpii_test")]))[0].VideoId);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task PrelabelOnAFrameFolderNamesEveryRowsImage()
    {
        var folder = Frames("000342_mpii_test", count: 20);
        var output = Path.Combine(clips.Directory, "out");
        var options = new PrelabelOptions { Output = output, Model = "movenet-lightning", FrameRate = 10 };
        var manifest = await new PrelabelRunner(options, NullLogger.Instance).RunAsync(await InputResolver.ResolveAsync([folder]), [folder]);
        var video = Assert.Single(manifest.Videos);
        Assert.Equal(("done", 20L), (video.Status, video.Frames));
        var table = Read(video.Output!);
        Assert.True(Long($"SELECT count(*) FROM {table}") > 20);
        // Each row names its image; times are index ÷ the given rate.
        Assert.Equal(0, Long($"SELECT count(*) FROM {table} WHERE frame_name <> lpad(frame_index::VARCHAR, 6, '0') || '.jpg'"));
        Assert.Equal(0, Long($"SELECT count(*) FROM {table} WHERE abs(pts_seconds - frame_index / 10.0) > 1e-6"));
        Assert.Equal(10.0, Convert.ToDouble(manifest.Configuration["frame_rate"], System.Globalization.CultureInfo.InvariantCulture));
    }
}
