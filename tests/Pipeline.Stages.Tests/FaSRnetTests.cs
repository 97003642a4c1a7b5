using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Pose.Temporal.FaSRnet;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class FaSRnetTests(ITestOutputHelper output)
{
    private const int Batch = 2;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryComponentKeepsTheBackbonesShapes(bool alignAtStride8)
    {
        using var scope = NewDisposeScope();
        using var model = new FaSRnet(alignAtStride8: alignAtStride8);
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        var key = features.select(1, 1);
        var aligned = new FeatureAlignment("pcda_p", 24, 8).call(key, features.select(1, 0));
        Assert.Equal([Batch, 24L, 64, 64], aligned.shape);
        var half = new FeatureAlignment("pcda_p", 24, 8).call(HalfResolution.Down(key), HalfResolution.Down(features.select(1, 0)));
        Assert.Equal([Batch, 24L, 32, 32], half.shape);
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
        using var model = new FaSRnet();
        var flops = TemporalHeadInputs.FlopsPerWindow(model);
        output.WriteLine($"FaSRnet head: {flops / 1e9:F3} GFLOPs per person-window");
        Assert.InRange(flops, 0.3e9, TemporalHeadInputs.FlopBudget);
    }

    [Fact]
    public void AligningAtStride8CostsAboutHalfTheFlops()
    {
        using var full = new FaSRnet();
        using var stride8 = new FaSRnet(alignAtStride8: true);
        var (a, b) = (TemporalHeadInputs.FlopsPerWindow(full), TemporalHeadInputs.FlopsPerWindow(stride8));
        output.WriteLine($"fasrnet-s8 head: {b / 1e9:F3} GFLOPs per person-window ({(double)b / a:F2} of fasrnet's)");
        // The alignments (83 % of the head) at a quarter of the positions; the fusion and refinement unchanged.
        Assert.InRange((double)b / a, 0.4, 0.55);
        Assert.Equal("fasrnet-s8", stride8.GetName());
        Assert.Equal(full.state_dict().Keys.Order(), stride8.state_dict().Keys.Order());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnUntrainedHeadStartsFromTheKeyFramesOwnHeatmaps(bool alignAtStride8)
    {
        using var scope = NewDisposeScope();
        using var model = new FaSRnet(alignAtStride8: alignAtStride8);
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        using var result = model.call(features, heatmaps);
        var key = heatmaps.select(1, 1);
        // final_layer starts at zero: H^r = H_t exactly; the refinement DCN starts with masks σ(3) = 0.953 on the centre tap.
        Assert.Equal(0, (result.Intermediate[0] - key).abs().max().ToSingle(), 6);
        var expected = key * (1 / (1 + Math.Exp(-3)));
        Assert.True((result.Heatmaps - expected).abs().max().ToSingle() < 1e-4f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AfterTheFirstStepsTheLossReachesEveryParameter(bool alignAtStride8)
    {
        using var model = new FaSRnet(alignAtStride8: alignAtStride8);
        // Zero-initialised layers on the longest path, five of them: final_layer, then four offset convs.
        var untouched = TemporalHeadInputs.ParametersWithoutGradient(model, steps: 8);
        Assert.True(untouched.Count == 0, $"no gradient: {string.Join(", ", untouched)}");
    }
}
