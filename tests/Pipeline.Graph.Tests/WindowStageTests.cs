using Pipeline.Graph.Stages;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Track;
using static TorchSharp.torch;

namespace Pipeline.Graph.Tests;

public sealed class WindowStageTests
{
    private const int Side = 32;
    private const int Crop = 8;

    // Frame i is filled with the grey level 10·i, so a window's crops tell which frames they came from.
    private static FrameEvent Frame(VideoTask video, VideoCounters counters, int index, bool withPerson)
    {
        var pixels = Enumerable.Repeat((byte)(10 * index), Side * Side * 3).ToArray();
        var people = withPerson ? new List<TrackedPerson> { new(7, new BoundingBox(8, 8, 24, 24), 0.9f, true) } : [];
        return new FrameEvent(video, counters, index, index / 25.0, new RgbImage(Side, Side, pixels)) { People = people };
    }

    private static async Task<List<WindowMessage>> RunAsync(WindowStage stage, int frames, Func<int, bool> withPerson)
    {
        var video = new VideoTask("v", "v.mp4", "v.mp4");
        var counters = new VideoCounters();
        var output = new List<WindowMessage>();
        for (var i = 0; i < frames; i++)
        {
            output.AddRange(await stage.ProcessAsync(Frame(video, counters, i, withPerson(i))));
        }

        output.AddRange(await stage.ProcessAsync(new VideoEndEvent(video, counters, null)));
        return output;
    }

    [Fact]
    public async Task WindowsHoldTheKeyFramesNeighboursClampedAtTheVideosEnds()
    {
        var stage = new WindowStage(new WindowOptions { Radius = 2, CropSize = Crop });
        var output = await RunAsync(stage, 6, _ => true);

        var windows = output.OfType<WindowItem>().Select(w => w.Window).ToList();
        Assert.Equal([0L, 1, 2, 3, 4, 5], windows.Select(w => w.FrameIndex));
        Assert.IsType<WindowsEnd>(output[^1]);
        int[][] expected = [[0, 0, 0, 1, 2], [0, 0, 1, 2, 3], [0, 1, 2, 3, 4], [1, 2, 3, 4, 5], [2, 3, 4, 5, 5], [3, 4, 5, 5, 5]];
        foreach (var (window, frames) in windows.Zip(expected))
        {
            Assert.Equal([5L, 3, Crop, Crop], window.Crops.shape);
            Assert.Equal(ScalarType.Byte, window.Crops.dtype);
            // Every pixel of crop f is frame frames[f]'s grey level (the region lies inside the frame).
            var levels = window.Crops.to(float32).mean([1, 2, 3]).data<float>().ToArray();
            Assert.Equal(frames.Select(f => 10f * f), levels);
            Assert.Equal(7, window.TrackId);
            Assert.Equal(new BoundingBox(6, 6, 26, 26), window.Region); // the box enlarged by 25 %
            window.Crops.Dispose();
        }
    }

    [Fact]
    public async Task FramesWithoutPeopleGetNoWindowButStillServeAsNeighbours()
    {
        var stage = new WindowStage(new WindowOptions { Radius = 1, CropSize = Crop });
        var windows = (await RunAsync(stage, 5, i => i == 2)).OfType<WindowItem>().Select(w => w.Window).ToList();

        var only = Assert.Single(windows);
        Assert.Equal(2, only.FrameIndex);
        Assert.Equal([10f, 20f, 30f], only.Crops.to(float32).mean([1, 2, 3]).data<float>().ToArray());
        only.Crops.Dispose();
    }

    [Fact]
    public async Task SingleFrameModelsGetOneCropPerPersonAndFrame()
    {
        var stage = new WindowStage(new WindowOptions { Radius = 0, CropSize = Crop });
        var windows = (await RunAsync(stage, 3, _ => true)).OfType<WindowItem>().Select(w => w.Window).ToList();

        Assert.Equal(3, windows.Count);
        Assert.All(windows, w => Assert.Equal([1L, 3, Crop, Crop], w.Crops.shape));
        Assert.Equal([0f, 10f, 20f], windows.Select(w => w.Crops.to(float32).mean().item<float>()));
        windows.ForEach(w => w.Crops.Dispose());
    }
}
