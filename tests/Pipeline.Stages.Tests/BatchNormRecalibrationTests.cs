using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Pose.Temporal.DSA;
using Pipeline.Stages.Pose.Temporal.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class BatchNormRecalibrationTests
{
    /// <summary>A head whose only layer is a BatchNorm over the key frame's features; its output is the key frame's heatmaps.</summary>
    private sealed class NormHead : TemporalHead
    {
        public NormHead()
            : base("norm-head", radius: 1, featureChannels: 2, joints: 1)
        {
            Norm = nn.BatchNorm2d(2);
            RegisterComponents();
        }

        public BatchNorm2d Norm { get; }

        public override TemporalOutput forward(Tensor features, Tensor heatmaps)
        {
            using var scope = NewDisposeScope();
            var normed = Norm.call(Key(features));
            return new TemporalOutput((Key(heatmaps) + (0 * normed.mean([1], keepdim: true))).MoveToOuterDisposeScope(), []);
        }

        public override Tensor Loss(TemporalOutput output, Tensor targets, Tensor weights) => output.Heatmaps.mean();
    }

    /// <summary>Batch i: key-frame features [4, 3, 2, 3, 3] of a seeded normal with mean i and spread i + 1 per channel.</summary>
    private static WindowBatch Batch(int i)
    {
        var features = (randn([4, 3, 2, 3, 3], generator: new TorchSharp.torch.Generator((ulong)(i + 1))) * (i + 1)) + i;
        var none = zeros(1);
        return new WindowBatch(features, zeros([4, 3, 1, 3, 3]), none, none.clone(), none.clone(), none.clone(), null, []);
    }

    [Fact]
    public void RunningStatisticsBecomeTheMeanOfTheBatchStatistics()
    {
        using var head = new NormHead();
        head.eval();
        using (no_grad())
        {
            head.Norm.running_mean!.fill_(5);
        }

        var layers = BatchNormRecalibration.Recalibrate(head, 3, Batch);

        // By hand: each batch's per-channel mean and unbiased variance of the key frame's features, averaged over the 3 batches.
        var means = new List<Tensor>();
        var variances = new List<Tensor>();
        for (var i = 0; i < 3; i++)
        {
            using var b = Batch(i);
            var key = b.Features.select(1, 1).transpose(0, 1).reshape(2, -1); // [C, B·h·w]
            means.Add(key.mean([1]));
            variances.Add(key.var(1, unbiased: true));
        }

        Assert.Equal(1, layers);
        Assert.True(allclose(head.Norm.running_mean!, stack(means).mean([0]), rtol: 1e-5, atol: 1e-6), "running mean = mean of batch means");
        Assert.True(allclose(head.Norm.running_var!, stack(variances).mean([0]), rtol: 1e-5, atol: 1e-6), "running variance = mean of batch variances");
        Assert.Equal(0.1, head.Norm.momentum);
        Assert.False(head.training);
    }

    [Fact]
    public void AHeadWithoutBatchNormIsLeftAsItWas()
    {
        using var head = new DSA();
        var before = head.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var layers = BatchNormRecalibration.Recalibrate(head, 2, _ => throw new InvalidOperationException("no batch is needed"));

        Assert.Equal(0, layers);
        Assert.All(head.state_dict(), kv => Assert.True(kv.Value.equal(before[kv.Key]).all().item<bool>(), kv.Key));
    }
}
