using Pipeline.Stages.Decode;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Imaging;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class GeometryTests
{
    [Fact]
    public void IoUOfKnownBoxes()
    {
        var a = new BoundingBox(0, 0, 10, 10);
        Assert.Equal(1f, a.IoU(a));
        Assert.Equal(0f, a.IoU(new BoundingBox(10, 0, 20, 10)));
        Assert.Equal(25f / 175f, a.IoU(new BoundingBox(5, 5, 15, 15)), 6);
    }

    [Fact]
    public void CropRegionIsTheEnlargedSquareAroundTheBox()
    {
        var region = new BoundingBox(100, 50, 140, 150).ToCropRegion(); // 40 x 100 box
        Assert.Equal(125f, region.Width, 4);
        Assert.Equal(125f, region.Height, 4);
        Assert.Equal(120f, region.CenterX, 4);
        Assert.Equal(100f, region.CenterY, 4);
        var wide = new BoundingBox(0, 0, 192, 100).ToCropRegion(1.25f, 0.75f); // aspect w/h = 0.75
        Assert.Equal(0.75f, wide.Width / wide.Height, 4);
        Assert.Equal(240f, wide.Width, 3);
    }

    [Fact]
    public void NonMaximumSuppressionKeepsTheBestOfOverlappingBoxes()
    {
        var kept = NonMaximumSuppression.Apply(
            [new(new BoundingBox(0, 0, 10, 10), 0.6f), new(new BoundingBox(1, 1, 11, 11), 0.9f), new(new BoundingBox(50, 50, 60, 60), 0.7f)],
            0.5f,
            10);
        Assert.Equal([0.9f, 0.7f], kept.Select(d => d.Score));
    }

    [Fact]
    public void LetterboxCentresTheFrameAndMapsBoxesBack()
    {
        var letterbox = NanoDetDetector.Letterbox.For(768, 576);
        Assert.Equal(416f / 768f, letterbox.Scale, 6);
        Assert.Equal(0f, letterbox.PadX);
        Assert.Equal(52f, letterbox.PadY);
        var frameBox = letterbox.ToFrame(new BoundingBox(0, 52, 416, 364));
        Assert.Equal(768f, frameBox.X2, 3);
        Assert.Equal(576f, frameBox.Y2, 3);
    }

    [Fact]
    public void CropAndResizeSamplesPixelCentresAndPadsOutsideWithBlack()
    {
        const int w = 64, h = 48;
        var pixels = new byte[w * h * 3];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                pixels[((y * w) + x) * 3] = (byte)x;
                pixels[(((y * w) + x) * 3) + 1] = (byte)y;
                pixels[(((y * w) + x) * 3) + 2] = 200;
            }

        using var scope = NewDisposeScope();
        var frames = ImageTensors.ToBatch([new RgbImage(w, h, pixels)]);
        // Same size: output pixel j samples source pixel X1 + j exactly.
        var crop = ImageTensors.CropAndResize(frames, [new BoundingBox(8, 4, 24, 20)], [0], 16, 16);
        Assert.Equal([1L, 3, 16, 16], crop.shape);
        Close(Enumerable.Range(8, 16).Select(v => (float)v), crop[0, 0, 0].data<float>().ToArray());
        Close(Enumerable.Range(4, 16).Select(v => (float)v), crop[0, 1, .., 0].data<float>().ToArray());
        // Half size: each output pixel is the mean of a 2 x 2 block (bilinear at the shared corner).
        var half = ImageTensors.CropAndResize(frames, [new BoundingBox(8, 4, 24, 20)], [0], 8, 8);
        Close(Enumerable.Range(0, 8).Select(j => 8.5f + (2 * j)), half[0, 0, 0].data<float>().ToArray());
        // A region hanging off the frame is black outside it.
        var edge = ImageTensors.CropAndResize(frames, [new BoundingBox(-8, 0, 8, 16)], [0], 16, 16);
        Assert.Equal(0f, edge[0, 2, 5, 3].item<float>());
        Assert.Equal(200f, edge[0, 2, 5, 12].item<float>());
    }

    // Reference: libtorch's affine_grid + grid_sample on the whole frame, rounded like the window
    // stage rounds. Both sample the same points; the sampler computes them in double, the grid in
    // float32 (~1e-5 px apart), so a value within ~0.01 of a rounding tie may land on the other side:
    // at most 1 level apart, on at most 0.1 % of the bytes.
    [Fact]
    public async Task CropSamplerMatchesGridSampleOnTheWholeFrame()
    {
        var image = await SampleVideo.FrameAsync(100);
        using var scope = NewDisposeScope();
        var frames = ImageTensors.ToBatch([image]);
        var regions = new[]
        {
            new BoundingBox(330.3f, 170.7f, 420.1f, 290.6f), // inside, fractional edges, upscaled
            new BoundingBox(-40, -30, 60, 70),                // off the top-left corner
            new BoundingBox(700.5f, 500, 800, 600.2f),        // off the bottom-right corner
            new BoundingBox(10, 20, 700, 560),                // downscaled 10x
            new BoundingBox(900, 700, 1000, 800),             // entirely outside: black
        };
        foreach (var region in regions)
        {
            foreach (var size in new[] { 64, 192 })
            {
                var expected = ImageTensors.CropAndResize(frames, [region], [0], size, size).round().clamp(0, 255).to(uint8).data<byte>().ToArray();
                var actual = new byte[3 * size * size];
                CropSampler.CropAndResize(image, region, size, actual);
                var differences = expected.Zip(actual).Select(p => Math.Abs(p.First - p.Second)).ToList();
                Assert.True(differences.Max() <= 1, $"region {region}, size {size}: off by {differences.Max()}");
                Assert.True(differences.Count(d => d != 0) <= actual.Length / 1000, $"region {region}, size {size}: {differences.Count(d => d != 0)} bytes differ");
            }
        }

        var outside = new byte[3 * 8 * 8];
        CropSampler.CropAndResize(image, new BoundingBox(900, 700, 1000, 800), 8, outside);
        Assert.All(outside, b => Assert.Equal(0, b));
    }

    // The sampling grid is computed in float32: positions are exact to about 1e-5 px.
    private static void Close(IEnumerable<float> expected, float[] actual) =>
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-3));

    [Fact]
    public async Task UndecodableFilesGetAnErrorNamingTheFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"not-a-video-{Guid.NewGuid():N}.mp4");
        await File.WriteAllTextAsync(file, "this is text, not video");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => StillFrames.ReadAsync(file));
            Assert.Contains(file, error.Message);
        }
        finally
        {
            File.Delete(file);
        }

        await Assert.ThrowsAsync<FileNotFoundException>(() => StillFrames.ReadAsync("/nonexistent/video.avi"));
        var beyond = await Assert.ThrowsAsync<InvalidDataException>(() => StillFrames.ReadAsync(SampleVideo.Path, 100000));
        Assert.Contains("no frame 100000", beyond.Message);
    }
}
