using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose.Temporal;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class NeighbourAlignmentTests
{
    // A smooth synthetic frame (so resampling twice stays close to sampling once): 3 channels of slow waves.
    private static Tensor Frame()
    {
        var y = arange(300, float32).view(300, 1).expand(300, 400);
        var x = arange(400, float32).view(1, 400).expand(300, 400);
        return stack([(x / 40).sin() * 100, (y / 30).cos() * 80, ((x + y) / 50).sin() * 60], 0).unsqueeze(0);
    }

    [Fact]
    public void AResampledNeighbourCropEqualsADirectCropOfTheKeyRegion()
    {
        using var scope = NewDisposeScope();
        var frame = Frame();
        var key = new BoundingBox(120, 80, 240, 200);
        // The same person one frame on: the box moved and grew, as a tracker's would.
        var neighbour = new BoundingBox(110, 70, 250, 215);
        const int size = 64;
        var direct = GridSampleReference.Crop(frame, key, size);
        var aligned = NeighbourAlignment.Resample(GridSampleReference.Crop(frame, neighbour, size), [key], [neighbour]);
        // The neighbour region covers the key region: everywhere within ~1 % of the values' range
        // (bilinear of bilinear on waves of 40–50 px period sampled at ~2 px).
        var error = (aligned - direct).abs().max().ToDouble();
        Assert.True(error < 2.5, $"max difference {error} (values up to ±100)");
        Assert.True((aligned - direct).abs().mean().ToDouble() < 0.5);

        // The identity when the regions are the same (the papers' key-box way).
        var same = NeighbourAlignment.Resample(direct, [key], [key]);
        Assert.True((same - direct).abs().max().ToDouble() < 1e-3);
    }

    [Fact]
    public void WhereTheNeighboursCropDidNotReachTheResultIsZero()
    {
        using var scope = NewDisposeScope();
        var frame = Frame();
        var key = new BoundingBox(100, 100, 200, 200);
        var neighbour = new BoundingBox(150, 100, 250, 200); // covers only the key region's right half
        const int size = 32;
        var aligned = NeighbourAlignment.Resample(GridSampleReference.Crop(frame, neighbour, size), [key], [neighbour]);
        Assert.True(aligned[0, .., .., ..14].abs().max().ToDouble() < 1e-6, "the left part lies outside the neighbour's crop");
        var direct = GridSampleReference.Crop(frame, key, size);
        Assert.True((aligned[0, .., 2..30, 18..30] - direct[0, .., 2..30, 18..30]).abs().max().ToDouble() < 2.5, "the right part matches");
    }

    [Fact]
    public void ThetaIsComputedPerPairAndOnlyForPairs()
    {
        using var scope = NewDisposeScope();
        var theta = NeighbourAlignment.Theta([new BoundingBox(0, 0, 100, 50), new BoundingBox(10, 10, 20, 20)], [new BoundingBox(50, 0, 250, 50), new BoundingBox(10, 10, 20, 20)]);
        // Key width 100 in a neighbour of width 200 whose centre is 100 px to the right: scale 0.5, shift 2·(50 − 150)/200 = −1.
        Assert.Equal([0.5f, 0, -1, 0, 1, 0, 1, 0, 0, 0, 1, 0], theta.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => NeighbourAlignment.Theta([new BoundingBox(0, 0, 1, 1)], []));
    }
}
