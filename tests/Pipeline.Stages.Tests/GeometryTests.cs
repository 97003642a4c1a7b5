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

        var image = new RgbImage(w, h, pixels);
        byte At(byte[] crop, int size, int channel, int y, int x) => crop[(channel * size * size) + (y * size) + x];
        // Same size: output pixel j is source pixel X1 + j exactly.
        var crop = CropSampler.Crops(image, [new BoundingBox(8, 4, 24, 20)], 16);
        Assert.Equal(Enumerable.Range(8, 16).Select(v => (byte)v), Enumerable.Range(0, 16).Select(j => At(crop, 16, 0, 0, j)));
        Assert.Equal(Enumerable.Range(4, 16).Select(v => (byte)v), Enumerable.Range(0, 16).Select(i => At(crop, 16, 1, i, 0)));
        // Half size: each output pixel is the mean of a 2 x 2 block (bilinear at the shared corner): 8.5 + 2j, rounded either way.
        var half = CropSampler.Crops(image, [new BoundingBox(8, 4, 24, 20)], 8);
        Assert.All(Enumerable.Range(0, 8), j => Assert.InRange(At(half, 8, 0, 0, j), 8 + (2 * j), 9 + (2 * j)));
        // A region hanging off the frame is black outside it; two regions go one after the other.
        var two = CropSampler.Crops(image, [new BoundingBox(-8, 0, 8, 16), new BoundingBox(8, 4, 24, 20)], 16);
        Assert.Equal(0, At(two, 16, 2, 5, 3));
        Assert.Equal(200, At(two, 16, 2, 5, 12));
        Assert.Equal(8, two[(3 * 16 * 16) + 0]); // the second crop's first red byte
    }

    // Reference: libtorch's affine_grid + grid_sample on the whole frame (float32, at the same
    // points), rounded. OpenCV interpolates 8-bit images in fixed point (positions to 1/32 px,
    // weights to 1/2048), so values differ by a few levels where the image changes fast (measured:
    // up to 4, on a 3.6x downscale): at most 5 levels, and on average less than 0.15 of a level.
    [Fact]
    public async Task CropSamplerMatchesGridSampleOnTheWholeFrame()
    {
        var image = await SampleVideo.FrameAsync(100);
        using var scope = NewDisposeScope();
        var frame = tensor(image.Pixels, [1, image.Height, image.Width, 3]).permute(0, 3, 1, 2).to(float32);
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
                var expected = GridSampleReference.Crop(frame, region, size).round().clamp(0, 255).to(uint8).data<byte>().ToArray();
                var actual = CropSampler.Crops(image, [region], size);
                var differences = expected.Zip(actual).Select(p => Math.Abs(p.First - p.Second)).ToList();
                Assert.True(differences.Max() <= 5, $"region {region}, size {size}: off by {differences.Max()}");
                Assert.True(differences.Average() < 0.15, $"region {region}, size {size}: off by {differences.Average():F3} on average");
            }
        }

        Assert.All(CropSampler.Crops(image, [new BoundingBox(900, 700, 1000, 800)], 8), b => Assert.Equal(0, b));
    }

    [Fact]
    public void OpenCvRunsOnTheCallersThreadOnly()
    {
        OpenCvImages.Configure();
        Assert.Equal(1, OpenCvSharp.Cv2.GetNumThreads());
    }

    [Fact]
    public void OverlayDrawsTheBoxSkeletonAndLabelInTheTracksColour()
    {
        var image = new RgbImage(200, 200, new byte[200 * 200 * 3]);
        var keypoints = Enumerable.Range(0, 17).Select(k => new Pose.Keypoint(60 + (k % 3 * 40), 40 + (k * 8), k == 0 ? 0.1f : 0.9f)).ToArray();
        Overlay.DrawPose(image, new Pose.PersonPose(new BoundingBox(50, 30, 150, 190), 0.9f, keypoints), colorIndex: 3, minScore: 0.2f, label: "7");
        var color = Overlay.Color(3);
        bool Is(int x, int y, (byte R, byte G, byte B) c) => (image.Pixels[((y * 200) + x) * 3], image.Pixels[(((y * 200) + x) * 3) + 1], image.Pixels[(((y * 200) + x) * 3) + 2]) == c;
        Assert.True(Is(50, 100, color), "the box's left edge");
        Assert.True(Is(100, 30, color), "the box's top edge");
        var (kx, ky) = ((int)keypoints[5].X, (int)keypoints[5].Y);
        Assert.True(Is(kx, ky, (255, 255, 255)) || Is(kx, ky, color), "a confident keypoint");
        Assert.True(Is(5, 5, (0, 0, 0)) && Is(60, 40, (0, 0, 0)), "nothing away from the pose, nor at the keypoint under minScore");
        var label = Enumerable.Range(50, 20).SelectMany(xx => Enumerable.Range(8, 18).Select(yy => (xx, yy))).Count(p => Is(p.xx, p.yy, color));
        Assert.True(label > 10, $"the track id's label above the box ({label} pixels in its colour)");
    }

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
