using Pipeline.Stages.Pose.Temporal;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class HeatmapDecoderTests
{
    [Fact]
    public void TheArgMaxMovesAQuarterPixelTowardsTheLargerNeighbour()
    {
        // Joint 0: peak at (x 10, y 20), right neighbour larger than left, upper larger than lower.
        // Joint 1: a lone peak at (x 3, y 4): no shift. Joint 2: a peak on the border column 0: no x shift.
        using var maps = zeros(1, 3, 32, 32);
        maps[0, 0, 20, 10] = tensor(0.9f);
        maps[0, 0, 20, 11] = tensor(0.5f);
        maps[0, 0, 20, 9] = tensor(0.2f);
        maps[0, 0, 19, 10] = tensor(0.4f);
        maps[0, 0, 21, 10] = tensor(0.1f);
        maps[0, 1, 4, 3] = tensor(0.7f);
        maps[0, 2, 5, 0] = tensor(0.6f);
        maps[0, 2, 5, 1] = tensor(0.3f);
        var k = HeatmapDecoder.Decode(maps).data<float>().ToArray();

        Assert.Equal((10 + 0.25 + 0.5) / 32, k[0], 6);
        Assert.Equal((20 - 0.25 + 0.5) / 32, k[1], 6);
        Assert.Equal(0.9, k[2], 6);
        Assert.Equal((3 + 0.5) / 32, k[3], 6);
        Assert.Equal((4 + 0.5) / 32, k[4], 6);
        Assert.Equal(0.7, k[5], 6);
        Assert.Equal(0.5 / 32, k[6], 6);
    }

    [Fact]
    public void AGaussianTargetDecodesWithinAQuarterPixelOfItsCentre()
    {
        using var keypoints = tensor(new float[] { 0.3137f, 0.6021f, 1f, 0.5f, 0.5f, 1f }, [1, 2, 3]);
        var (targets, _) = HeatmapTargets.Gaussian(keypoints, 64);
        var k = HeatmapDecoder.Decode(targets).data<float>().ToArray();
        Assert.InRange(Math.Abs(k[0] - 0.3137) * 64, 0, 0.25 + 1e-4);
        Assert.InRange(Math.Abs(k[1] - 0.6021) * 64, 0, 0.25 + 1e-4);
        Assert.InRange(Math.Abs(k[3] - 0.5) * 64, 0, 0.25 + 1e-4);
    }
}
