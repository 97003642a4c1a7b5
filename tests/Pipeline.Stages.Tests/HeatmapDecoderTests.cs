using Pipeline.Stages.Pose.Temporal;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class HeatmapDecoderTests
{
    [Fact]
    public void TheArgMaxIsRefinedByATaylorStepOnTheLogHeatmap()
    {
        // Joint 0: peak at (x 10, y 20) with unequal neighbours (diagonals zero, so the mixed derivative vanishes).
        // Joint 1: a lone peak at (x 3, y 4): no shift. Joint 2: a peak on the border column 0: no shift.
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

        // By hand: step = −g / h with g = (L₊ − L₋) / 2 and h = L₊ − 2L₀ + L₋ on L = ln(value).
        double Step(double minus, double centre, double plus) => -0.5 * (Math.Log(plus) - Math.Log(minus)) / (Math.Log(plus) - (2 * Math.Log(centre)) + Math.Log(minus));
        Assert.Equal((10 + Step(0.2, 0.9, 0.5) + 0.5) / 32, k[0], 5);
        Assert.Equal((20 + Step(0.4, 0.9, 0.1) + 0.5) / 32, k[1], 5);
        Assert.Equal(0.9, k[2], 6);
        Assert.Equal((3 + 0.5) / 32, k[3], 5);
        Assert.Equal((4 + 0.5) / 32, k[4], 5);
        Assert.Equal(0.7, k[5], 6);
        Assert.Equal(0.5 / 32, k[6], 6);
    }

    [Fact]
    public void AGaussianTargetDecodesToItsCentre()
    {
        using var keypoints = tensor(new float[] { 0.3137f, 0.6021f, 1f, 0.5f, 0.5f, 1f, 0.7771f, 0.1234f, 1f }, [1, 3, 3]);
        var (targets, _) = HeatmapTargets.Gaussian(keypoints, 64);
        var k = HeatmapDecoder.Decode(targets).data<float>().ToArray();
        var expected = keypoints.data<float>().ToArray();
        for (var i = 0; i < 3; i++)
        {
            // Exact for a Gaussian up to float rounding: within 0.01 heatmap pixels (the quarter shift errs up to 0.25).
            Assert.InRange(Math.Abs(k[i * 3] - expected[i * 3]) * 64, 0, 0.01);
            Assert.InRange(Math.Abs(k[(i * 3) + 1] - expected[(i * 3) + 1]) * 64, 0, 0.01);
        }
    }
}
