using Pipeline.Stages.Pose.Temporal.Tokens;
using Pipeline.Stages.Pose.Temporal.VREMD;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class VremdTests(ITestOutputHelper output)
{
    private const int Batch = 2;

    [Fact]
    public void EveryComponentKeepsTheShapesThePaperGives()
    {
        using var scope = NewDisposeScope();
        using var model = new VREMD();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        var embedding = new PatchEmbedding("e", 24, 64, 4, 16, 3);
        var embedded = embedding.Embed(features);
        Assert.Equal([Batch, 3L, 256, 64], embedded.shape);
        var tokens = embedding.call(embedded);
        Assert.Equal([Batch, 3L, 256, 64], new HumanMask("h", 64, 4, 3, 1).call(tokens).shape);
        var (masked, keypoints) = new KeypointMask("k", 64, 4, 3, 17, 1).call(tokens);
        Assert.Equal([Batch, 3L, 256, 64], masked.shape);
        Assert.Equal([Batch, 3L, 17, 64], keypoints.shape);
        Assert.Equal([Batch, 3L, 256, 64], new SpatioTemporalAggregation("a", 64, 4, 1, 1).call(masked).shape);
        Assert.Equal([Batch, 256L, 64], new TokenReduction("r", 768, 256).call(masked).shape);
        var (enhanced, key) = new HKME("HKME", 64, 4, 3, 256, 17).call(tokens);
        Assert.Equal([Batch, 256L, 64], enhanced.shape);
        Assert.Equal([Batch, 17L, 64], key.shape);
        Assert.Equal([Batch, 256L, 64], new BMD("BMD", 64, 4, 4, 16, 2).call(embedded, enhanced).shape);
        Assert.Equal([Batch, 17L, 64, 64], new KeypointHead("H_k", 64, 512, 64).call(key).shape);

        using var result = model.call(features, heatmaps);
        Assert.Equal([Batch, 17L, 64, 64], result.Heatmaps.shape);
        Assert.Equal(3, model.Window);
    }

    [Fact]
    public void AHeadCostsAtMostHalfTheBackbonePerWindow()
    {
        using var model = new VREMD();
        var flops = TemporalHeadInputs.FlopsPerWindow(model);
        output.WriteLine($"VREMD head: {flops / 1e9:F3} GFLOPs per person-window; without BMD {TemporalHeadInputs.FlopsPerWindow(new VREMD(withMotion: false)) / 1e9:F3}");
        Assert.InRange(flops, 0.5e9, TemporalHeadInputs.FlopBudget);
    }

    [Fact]
    public void AnUntrainedHeadReturnsTheKeyFramesOwnHeatmaps()
    {
        using var scope = NewDisposeScope();
        using var model = new VREMD();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        using var result = model.call(features, heatmaps);
        Assert.Equal(0, (result.Heatmaps - heatmaps.select(1, 1)).abs().max().ToSingle());
    }

    [Fact]
    public void TheKeypointMaskSumsEachKeypointTokensSoftmaxOverTheImageTokens()
    {
        using var scope = NewDisposeScope();
        // D = 1: image tokens 1, 2, 3; keypoint tokens 1 and 0. Token 1's softmax is e^(1,2,3)/Σ = (0.09003, 0.24473, 0.66524),
        // token 0's is uniform 1/3: the mask is their sum, and it adds up to the number of keypoint tokens.
        var mask = KeypointMask.Mask(tensor(new float[] { 1, 2, 3 }).view(1, 3, 1), tensor(new float[] { 1, 0 }).view(1, 2, 1));
        var values = mask.flatten().data<float>().ToArray();
        Assert.Equal([0.42336f, 0.57806f, 0.99857f], values.Select(v => MathF.Round(v, 5)));
        Assert.Equal(2, values.Sum(), 5);
    }

    [Fact]
    public void DeformableCrossAttentionSamplesWhereTheOffsetsPointAndWeighsBySoftmax()
    {
        using var scope = NewDisposeScope();
        // One head of one channel on a 4 × 4 ramp v(y, x) = 10 y + x (keys = values), query 0.1 at cell (1, 1),
        // points at offsets (0, 0) and (dx, dy) = (0.25, 0.5): samples 11 and 16.25, weights softmax(1.1, 1.625)
        // = (0.37168, 0.62832), output 0.37168 · 11 + 0.62832 · 16.25 = 14.29866.
        var ramp = tensor(Enumerable.Range(0, 16).Select(i => (float)((10 * (i / 4)) + (i % 4))).ToArray()).view(1, 1, 4, 4);
        var locations = tensor(new float[] { 1, 1, 1.25f, 1.5f }).view(1, 1, 2, 2);
        var result = DeformableCrossAttention.Sample(tensor(new float[] { 0.1f }).view(1, 1, 1), ramp, ramp, locations);
        Assert.Equal(14.29866, result.item<float>(), 4);
        // Outside the map the sample is zero-padded: at (x, y) = (2, −0.5) bilinear gives half of v(0, 2) = 1, not the ramp's −3.
        var outside = DeformableCrossAttention.Sample(zeros(1, 1, 1), ramp, ramp, tensor(new float[] { 2, -0.5f }).view(1, 1, 1, 2));
        Assert.Equal(1, outside.item<float>(), 5);
    }

    [Fact]
    public void EachTokensReferencePointIsItsOwnCell()
    {
        using var scope = NewDisposeScope();
        var points = DeformableCrossAttention.ReferencePoints(16);
        Assert.Equal([256L, 2], points.shape);
        Assert.Equal([1f, 1f], points[17].data<float>().ToArray()); // row-major: token 17 = (x 1, y 1)
        Assert.Equal([15f, 0f], points[15].data<float>().ToArray());
        Assert.Equal([15f, 15f], points[255].data<float>().ToArray());
    }

    [Fact]
    public void EveryParameterLearnsWithinAFewSteps()
    {
        using var model = new VREMD();
        Assert.Empty(TemporalHeadInputs.ParametersWithoutGradient(model, steps: 4));
    }
}
