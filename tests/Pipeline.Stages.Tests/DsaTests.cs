using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Pose.Temporal.DSA;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class DsaTests(ITestOutputHelper output)
{
    private const int Batch = 2;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryComponentKeepsTheBackbonesShapes(bool alignAtStride8)
    {
        using var scope = NewDisposeScope();
        using var model = new DSA(alignAtStride8: alignAtStride8);
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        var (key, support) = (features.select(1, 2), features.select(1, 0));
        var gab = new GlobalAlignmentBlock("GAB", 24, 12);
        var pyramid = gab.KeyPyramid(key);
        Assert.Equal([Batch, 24L, 32, 32], pyramid.Level1.shape);
        Assert.Equal([Batch, 24L, 16, 16], pyramid.Level2.shape);
        var aligned = gab.call(pyramid, support);
        Assert.Equal([Batch, 24L, 64, 64], aligned.shape);
        Assert.Equal([Batch, 24L, 64, 64], new LocalEnhancementBlock("LEB", 24, 8).call(aligned, key).shape);
        var half = gab.call(gab.KeyPyramid(HalfResolution.Down(key)), HalfResolution.Down(support));
        Assert.Equal([Batch, 24L, 32, 32], half.shape);
        Assert.Equal([Batch, 24L, 64, 64], HalfResolution.Up(half, key).shape);

        using var result = model.call(features, heatmaps);
        Assert.Equal([Batch, 17L, 64, 64], result.Heatmaps.shape);
        Assert.Equal(5, model.Window);
    }

    [Fact]
    public void AHeadCostsAtMostHalfTheBackbonePerWindow()
    {
        using var model = new DSA();
        var flops = TemporalHeadInputs.FlopsPerWindow(model);
        output.WriteLine($"DSA head: {flops / 1e9:F3} GFLOPs per person-window");
        Assert.InRange(flops, 0.3e9, TemporalHeadInputs.FlopBudget);
    }

    [Fact]
    public void AligningAtStride8CostsAboutAThirdOfTheFlops()
    {
        using var full = new DSA();
        using var stride8 = new DSA(alignAtStride8: true);
        var (a, b) = (TemporalHeadInputs.FlopsPerWindow(full), TemporalHeadInputs.FlopsPerWindow(stride8));
        output.WriteLine($"dsa-s8 head: {b / 1e9:F3} GFLOPs per person-window ({(double)b / a:F2} of dsa's)");
        // The GAB and LEB at a quarter of the positions; the fusion, residual block and head at 64² unchanged.
        Assert.InRange((double)b / a, 0.3, 0.45);
        Assert.Equal("dsa-s8", stride8.GetName());
        Assert.Equal(full.state_dict().Keys.Order(), stride8.state_dict().Keys.Order());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnUntrainedHeadReturnsTheKeyFramesOwnHeatmaps(bool alignAtStride8)
    {
        using var scope = NewDisposeScope();
        using var model = new DSA(alignAtStride8: alignAtStride8);
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        using var result = model.call(features, heatmaps);
        Assert.Equal(0, (result.Heatmaps - heatmaps.select(1, 2)).abs().max().ToSingle());
    }

    [Fact]
    public void TheLocalEnhancementOffsetsAreQTimesTheGridPlusKMinusTheGrid()
    {
        using var scope = NewDisposeScope();
        // Q = I, k = 0: the regular grid, no offsets. Q = 2I: every tap moves out by R. Q = I, k = (1, −2): a shift.
        var identity = tensor(new float[] { 1, 0, 0, 1, 0, 0 }).view(1, 6, 1, 1);
        Assert.Equal(0, LocalEnhancementBlock.Offsets(identity).abs().max().ToSingle());
        var offsets = LocalEnhancementBlock.Offsets(tensor(new float[] { 2, 0, 0, 2, 0, 0 }).view(1, 6, 1, 1)).flatten().data<float>().ToArray();
        Assert.Equal([-1f, -1, -1, 0, -1, 1, 0, -1, 0, 0, 0, 1, 1, -1, 1, 0, 1, 1], offsets);
        var shift = LocalEnhancementBlock.Offsets(tensor(new float[] { 1, 0, 0, 1, 1, -2 }).view(1, 6, 1, 1)).flatten().data<float>().ToArray();
        Assert.All(shift.Chunk(2), tap => Assert.Equal([1f, -2], tap));
        // A rotation-like Q = [[0, −1], [1, 0]] on tap (dy, dx) = (−1, 0): Q·R = (0, −1), minus R = (1, −1).
        var rotation = LocalEnhancementBlock.Offsets(tensor(new float[] { 0, -1, 1, 0, 0, 0 }).view(1, 6, 1, 1)).flatten().data<float>().ToArray();
        Assert.Equal([1f, -1], rotation[2..4]);
    }

    [Fact]
    public void TheLocalEnhancementSamplesWhereQAndKPoint()
    {
        using var scope = NewDisposeScope();
        var block = new LocalEnhancementBlock("LEB", 24, 8);
        // φ's last conv has zero weight: its bias alone sets (Q, k). Q = I, k = (0, 1): every tap one pixel to the right.
        using (no_grad())
        {
            block.named_parameters().Single(p => p.name == "phi.2.bias").parameter.copy_(tensor(new float[] { 1, 0, 0, 1, 0, 1 }));
        }

        var aligned = rand(1, 24, 16, 16);
        var enhanced = block.call(aligned, rand(1, 24, 16, 16));
        // The identity kernel (centre tap) now reads the pixel to the right; the last column reads outside (zero).
        var expected = nn.functional.pad(aligned.narrow(3, 1, 15), [0, 1]);
        Assert.True((enhanced - expected).abs().max().ToSingle() < 1e-5f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AfterTheFirstStepsTheLossReachesEveryParameter(bool alignAtStride8)
    {
        using var model = new DSA(alignAtStride8: alignAtStride8);
        // Zero-initialised layers on the longest path: the head, LEB's φ, then the GAB's offset convs (at 32², 16², 32²; for dsa-s8 at 16², 8², 16²).
        var untouched = TemporalHeadInputs.ParametersWithoutGradient(model, steps: 8);
        Assert.True(untouched.Count == 0, $"no gradient: {string.Join(", ", untouched)}");
    }
}
