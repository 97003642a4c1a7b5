using Pipeline.Stages.Pose.Temporal;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class HeatmapTargetsTests
{
    [Fact]
    public void TargetsPeakAtTheTeachersKeypointsWithTheDocumentedSpread()
    {
        using var scope = NewDisposeScope();
        var keypoints = zeros(1, 17, 3);
        // Joint 0 at the centre of heatmap pixel (10, 20) of 64: x = (10 + 0.5) / 64, y = (20 + 0.5) / 64, score 0.9.
        keypoints[0, 0, 0] = tensor(10.5f / 64);
        keypoints[0, 0, 1] = tensor(20.5f / 64);
        keypoints[0, 0, 2] = tensor(0.9f);
        keypoints[0, 1, 2] = tensor(0.2f); // under the minimum score: no weight
        var (targets, weights) = HeatmapTargets.Gaussian(keypoints, 64);
        Assert.Equal([1L, 17, 64, 64], targets.shape);
        Assert.Equal(1f, targets[0, 0, 20, 10].ToSingle(), 5);
        // One pixel to the side: exp(−1 / (2 · 1.5²)) = 0.800737.
        Assert.Equal(0.800737f, targets[0, 0, 20, 11].ToSingle(), 5);
        Assert.Equal(0.800737f, targets[0, 0, 21, 10].ToSingle(), 5);
        Assert.Equal(0, targets[0, 0].argmax().ToInt64() - ((20 * 64) + 10));
        Assert.Equal([0.9f, 0f], weights[0, ..2].data<float>().ToArray());
    }

    [Fact]
    public void TheLossWeighsEachJointByTheTeachersConfidence()
    {
        using var scope = NewDisposeScope();
        var targets = zeros(1, 2, 4, 4);
        var predicted = zeros(1, 2, 4, 4);
        predicted[0, 0] = ones(4, 4) * 2; // joint 0 off by 2 everywhere: mean square 4
        predicted[0, 1] = ones(4, 4) * 3; // joint 1 off by 3: 9
        var loss = HeatmapTargets.WeightedMse(predicted, targets, tensor(new float[] { 0.5f, 0 }, [1, 2]));
        Assert.Equal(0.5 * 4 / 2, loss.ToDouble(), 6);
    }
}
