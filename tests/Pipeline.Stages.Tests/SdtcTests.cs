using Pipeline.Stages.Pose.Temporal.SDTC;
using Pipeline.Stages.Pose.Temporal.Tokens;
using Pipeline.Stages.Pose.Temporal.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class SdtcTests(ITestOutputHelper output)
{
    private const int Batch = 2;

    private static WindowBatch BatchOf(Tensor features, Tensor heatmaps) =>
        new(features, heatmaps, rand(Batch, 17, 64, 64), ones(Batch, 17), rand(Batch, 5, 17, 3), ones(Batch, 5), null, []);

    [Fact]
    public void EveryComponentKeepsTheShapesThePaperGives()
    {
        using var scope = NewDisposeScope();
        using var model = new SDTC();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        var embedding = new FeatureEmbedding("e", 24, 64, 8, 8, 5);
        var tokens = embedding.call(embedding.Embed(features));
        Assert.Equal([Batch, 5L, 64, 64], tokens.shape);
        Assert.Equal([Batch, 5L, 64, 64], new MotionEncoder("m", 64, 4).call(tokens).shape);
        var (contexts, poses) = new MotionDecoder("d", 64, 4, 24, 17, 8).call(tokens);
        Assert.Equal([Batch, 5L, 64, 24 * 64], contexts.shape);
        Assert.Equal([Batch, 5L, 17, 64, 64], poses.shape);
        var motion = new MLSME("MLSME", 64, 4, 24, 17, 8).call(tokens, null, null);
        Assert.Equal([Batch, 5L, 64, 64], motion.Motion.shape);
        Assert.Null(motion.Contexts);
        var maps = randn(Batch, 64, 8, 8);
        Assert.Equal([Batch, 64L, 8, 8], new SelfFeatureRefinement("r", 64).call(maps).shape);
        Assert.Equal([Batch, 64L, 8, 8], new SMCA("c", 64).call(maps, randn(Batch, 64, 8, 8)).shape);
        Assert.Equal([Batch, 64L, 8, 8], new AdaptiveFeatureFusion("f", 64).call(maps, maps).shape);
        Assert.Equal([Batch, 64L, 8, 8], new SMML("SMML", 64, 5, 64, 8).call(tokens, motion.Motion).shape);

        using var result = model.call(features, heatmaps);
        Assert.Equal([Batch, 17L, 64, 64], result.Heatmaps.shape);
        Assert.Equal(5, model.Window);
    }

    [Fact]
    public void AHeadCostsAtMostHalfTheBackbonePerWindow()
    {
        using var model = new SDTC();
        var flops = TemporalHeadInputs.FlopsPerWindow(model);
        output.WriteLine($"SDTC head: {flops / 1e9:F3} GFLOPs per person-window, {model.parameters().Sum(p => p.numel()):N0} parameters");
        Assert.InRange(flops, 0.1e9, TemporalHeadInputs.FlopBudget);
    }

    [Fact]
    public void AnUntrainedHeadReturnsTheKeyFramesOwnHeatmaps()
    {
        using var scope = NewDisposeScope();
        using var model = new SDTC();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        using var result = model.call(features, heatmaps);
        Assert.Equal(0, (result.Heatmaps - heatmaps.select(1, 2)).abs().max().ToSingle());
    }

    [Fact]
    public void TheSineCosineEmbeddingEncodesRowAndColumn()
    {
        using var scope = NewDisposeScope();
        var e = FeatureEmbedding.SineCosine(8, 8).data<float>().ToArray(); // quarter 2: ω = 1, 1/100
        Assert.Equal([0f, 0, 1, 1, 0, 0, 1, 1], e[..8]);                           // row 0, column 0
        var cell = ((2 * 8) + 3) * 8;                                               // row 2, column 3
        Assert.Equal(Math.Sin(2), e[cell], 5);
        Assert.Equal(Math.Sin(0.02), e[cell + 1], 5);
        Assert.Equal(Math.Cos(2), e[cell + 2], 5);
        Assert.Equal(Math.Sin(3), e[cell + 4], 5);
        Assert.Equal(Math.Cos(0.03), e[cell + 7], 5);
    }

    [Fact]
    public void TubeMaskingHidesTheSamePatchesInEveryFrameAndNothingInEvalMode()
    {
        using var scope = NewDisposeScope();
        var tube = Masking.Tube(new Random(3), 4, 64, 0.5);
        Assert.Equal([4L, 1, 64, 1], tube.shape);
        Assert.All(tube.sum([1, 2, 3]).data<float>().ToArray(), kept => Assert.Equal(32, kept));
        Assert.NotEqual(tube[0].data<float>().ToArray(), tube[1].data<float>().ToArray());
        var tokens = randn(4, 5, 64, 8);
        var token = full(8, 7f);
        var masked = Masking.Apply(tokens, tube, token);
        for (var t = 0; t < 5; t++)
        {
            // Hidden positions hold the mask token in every frame; kept ones are untouched.
            var hidden = (1 - tube).squeeze(1).squeeze(-1).to(ScalarType.Bool); // [4, 64]
            Assert.True((masked.select(1, t)[hidden] - 7).abs().max().ToSingle() == 0);
            Assert.True((masked.select(1, t)[hidden.logical_not()] - tokens.select(1, t)[hidden.logical_not()]).abs().max().ToSingle() == 0);
        }

        var frames = Masking.Frames(new Random(3), 4, 5, 1);
        Assert.All(frames.sum([1, 2, 3]).data<float>().ToArray(), kept => Assert.Equal(4, kept));

        using var model = new SDTC();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        using var batch = BatchOf(features, heatmaps);
        using var trained = model.TrainingForward(batch, new Random(1));
        Assert.Equal(4, trained.Intermediate.Count);
        Assert.Equal([Batch, 1L, 64, 1], trained.Intermediate[2].shape);
        Assert.Equal(Batch * 32, (1 - trained.Intermediate[2]).sum().ToSingle()); // half of each window's 64 positions hidden
        model.eval();
        using var evaluated = model.TrainingForward(batch, new Random(1));
        using var plain = model.call(features, heatmaps);
        Assert.Empty(evaluated.Intermediate);
        Assert.Equal(0, (evaluated.Heatmaps - plain.Heatmaps).abs().max().ToSingle());
    }

    [Fact]
    public void TheReconstructionLossesCountOnlyWhatWasHidden()
    {
        // One window of two frames of one 4×4 feature channel holding 0 … 15 (then 16 … 31): four tokens, 2×2 patches on a
        // 2×2 grid, token 1 = the top-right patch. Contexts all 0. Tube hides token 1, frame mask hides frame 1: only
        // (frame 1, token 1) counts — frame 1's values 16 + {2, 3, 6, 7} → mean |0 − x| = 20.5.
        using var scope = NewDisposeScope();
        var features = arange(32, ScalarType.Float32).view(1, 2, 1, 4, 4);
        var contexts = zeros([1, 2, 4, 4]);
        var tube = tensor(new float[] { 1, 0, 1, 1 }).view(1, 1, 4, 1);
        var frames = tensor(new float[] { 1, 0 }).view(1, 2, 1, 1);
        var poses = zeros([1, 2, 1, 4, 4]);
        // Both frames have a visible keypoint; only the hidden frame 1's counts: its Gaussian against a zero reconstruction.
        var keypoints = zeros([1, 2, 1, 3]);
        keypoints[0, 0, 0] = tensor(new float[] { 0.25f, 0.25f, 1 });
        keypoints[0, 1, 0] = tensor(new float[] { 0.5f, 0.5f, 1 });
        var (context, pose) = SDTC.ReconstructionLosses(contexts, poses, tube, frames, features, keypoints);
        Assert.Equal(20.5, context.ToSingle(), 4);
        var (target, _) = Pose.Temporal.HeatmapTargets.Gaussian(keypoints[0, 1].unsqueeze(0), 4);
        Assert.Equal(target.square().mean().ToSingle(), pose.ToSingle(), 5);
    }

    [Fact]
    public void PatchVectorsFollowTheEmbeddingsTokenOrderAndComeBack()
    {
        using var scope = NewDisposeScope();
        var maps = randn(2, 3, 16, 16);
        var vectors = Patches.FromMaps(maps, 4);
        Assert.Equal([2L, 16, 48], vectors.shape);
        Assert.Equal(0, (Patches.ToMaps(vectors, 3, 4) - maps).abs().max().ToSingle());

        // A conv of kernel = stride = patch whose weight picks one input value is a patch embedding that copies it:
        // its token n must be vector n's entry for that value (channel 1, pixel (2, 3) of the patch → index 1·16 + 2·4 + 3).
        var conv = nn.Conv2d(3, 1, 4, stride: 4, bias: false);
        using (no_grad())
        {
            conv.weight!.zero_();
            conv.weight[0, 1, 2, 3] = tensor(1f);
        }

        var tokens = conv.call(maps).flatten(2).transpose(1, 2); // [2, 16, 1]
        Assert.True((tokens.squeeze(-1) - vectors[.., .., (1 * 16) + (2 * 4) + 3]).abs().max().ToSingle() < 1e-6);
    }

    [Fact]
    public void GradientsReachEveryParameterThroughTheTrainingLoss()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        using var model = new SDTC();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        using var batch = BatchOf(features, heatmaps);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        var untouched = new List<string>();
        for (var step = 0; step < 3; step++)
        {
            optimizer.zero_grad();
            using (var _ = NewDisposeScope())
            {
                using var result = model.TrainingForward(batch, new Random(step));
                model.TrainingLoss(result, batch, new Random(step)).backward();
            }

            untouched = [.. model.named_parameters().Where(p => p.parameter.grad is null || p.parameter.grad.abs().sum().ToSingle() == 0).Select(p => p.name)];
            optimizer.step();
        }

        Assert.Empty(untouched);
    }
}
