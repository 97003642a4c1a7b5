using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Pose.Temporal.FaSRnet;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class FaSRnetTests(ITestOutputHelper output)
{
    private const int Batch = 2;

    [Fact]
    public void EveryComponentKeepsTheBackbonesShapes()
    {
        using var scope = NewDisposeScope();
        using var model = new FaSRnet();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        var key = features.select(1, 1);
        var aligned = new FeatureAlignment("pcda_p", 24, 8).call(key, features.select(1, 0));
        Assert.Equal([Batch, 24L, 64, 64], aligned.shape);
        var fused = new AttentionFusion("TSA_Fusion", 24, 12).call(key, aligned, aligned);
        Assert.Equal([Batch, 24L, 64, 64], fused.shape);
        var refined = new SemanticsRefinement("hm_improve", 17).call(heatmaps.select(1, 1), heatmaps.select(1, 0), heatmaps.select(1, 2));
        Assert.Equal([Batch, 17L, 64, 64], refined.shape);

        using var result = model.call(features, heatmaps);
        Assert.Equal([Batch, 17L, 64, 64], result.Heatmaps.shape);
        Assert.Equal([Batch, 17L, 64, 64], Assert.Single(result.Intermediate).shape);
        Assert.Equal(3, model.Window);
    }

    [Fact]
    public void AHeadCostsAtMostHalfTheBackbonePerWindow()
    {
        using var scope = NewDisposeScope();
        using var model = new FaSRnet();
        var (features, heatmaps) = TemporalHeadInputs.Random(1, model);
        var flops = FlopCounter.Count(model, () => model.call(features, heatmaps).Dispose());
        output.WriteLine($"FaSRnet head: {flops / 1e9:F3} GFLOPs per person-window");
        Assert.InRange(flops, 0.3e9, TemporalHeadInputs.FlopBudget);
    }

    [Fact]
    public void AnUntrainedHeadStartsFromTheKeyFramesOwnHeatmaps()
    {
        using var scope = NewDisposeScope();
        using var model = new FaSRnet();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        using var result = model.call(features, heatmaps);
        var key = heatmaps.select(1, 1);
        // final_layer starts at zero: H^r = H_t exactly; the refinement DCN starts with masks σ(3) = 0.953 on the centre tap.
        Assert.Equal(0, (result.Intermediate[0] - key).abs().max().ToSingle(), 6);
        var expected = key * (1 / (1 + Math.Exp(-3)));
        Assert.True((result.Heatmaps - expected).abs().max().ToSingle() < 1e-4f);
    }

    [Fact]
    public void AfterTheFirstStepsTheLossReachesEveryParameter()
    {
        using var scope = NewDisposeScope();
        using var model = new FaSRnet();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        var (targets, weights) = (rand(Batch, 17, 64, 64), ones(Batch, 17));
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        // The identity start blocks some gradients on the first steps (a zero final_layer stops the fusion's, a zero
        // offset conv stops its offset features'); each zero layer on a path costs one step (five on the longest: final_layer, then four offset convs); after them every parameter must learn.
        var untouched = new List<string>();
        for (var step = 0; step < 8; step++)
        {
            optimizer.zero_grad();
            using (var d = NewDisposeScope())
            {
                using var result = model.call(features, heatmaps);
                model.Loss(result, targets, weights).backward();
            }

            untouched = [.. model.named_parameters()
                .Where(p => p.parameter.grad is null || p.parameter.grad.abs().sum().ToSingle() == 0)
                .Select(p => p.name)];
            optimizer.step();
        }

        Assert.True(untouched.Count == 0, $"no gradient: {string.Join(", ", untouched)}");
    }
}
