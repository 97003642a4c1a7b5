using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose.Temporal.Continuity;
using Pipeline.Stages.Pose.Temporal.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class ContinuityTests(ITestOutputHelper output)
{
    private const int Batch = 2;

    [Fact]
    public void EveryComponentKeepsTheShapesThePaperGives()
    {
        using var scope = NewDisposeScope();
        using var model = new Continuity();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        var tokens = randn(Batch * 5, 256, 64);
        Assert.Equal([Batch * 5L, 256, 64], new MixerBlock("m", 256, 64, 128, 128).call(tokens).shape);
        var z = new SemanticAlignmentEncoder("E_Z", 256, 64, 4, 128).call(tokens);
        Assert.Equal([Batch * 5L, 128], z.shape);
        Assert.True((z.norm(1) - 1).abs().max().ToSingle() < 1e-5, "Z lies on the unit sphere");
        var s = new TransformationEncoder("E_S", 64, 16).call(tokens);
        Assert.Equal([Batch * 5L, 2, 3], s.shape);
        var aligned = new SemanticAlignmentDecoder("D", 128, 17, 64).call(z);
        Assert.Equal([Batch * 5L, 17, 64, 64], aligned.shape);
        Assert.Equal([Batch * 5L, 17, 64, 64], AffineTransform.Apply(aligned, s).shape);
        Assert.Equal([Batch, 17L, 64, 64], new MultiFrameHeatmapFusion("f", 17, 64, 4, 4, 16, 2, 2).call(heatmaps).shape);

        using var result = model.call(features, heatmaps);
        Assert.Equal([Batch, 17L, 64, 64], result.Heatmaps.shape);
        Assert.Equal([Batch, 5L, 17, 64, 64], result.Intermediate[0].shape);
        Assert.Equal([Batch, 5L, 128], result.Intermediate[1].shape);
        Assert.Equal(5, model.Window);
    }

    [Fact]
    public void AHeadCostsAtMostHalfTheBackbonePerWindow()
    {
        using var model = new Continuity();
        using var ablation = new Continuity(withFusion: false);
        var flops = TemporalHeadInputs.FlopsPerWindow(model);
        output.WriteLine($"continuity head: {flops / 1e9:F3} GFLOPs per person-window; without fusion {TemporalHeadInputs.FlopsPerWindow(ablation) / 1e9:F3}");
        Assert.InRange(flops, 0.5e9, TemporalHeadInputs.FlopBudget);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnUntrainedHeadReturnsTheKeyFramesOwnHeatmaps(bool withFusion)
    {
        using var scope = NewDisposeScope();
        using var model = new Continuity(withFusion: withFusion);
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        using var result = model.call(features, heatmaps);
        Assert.Equal(0, (result.Heatmaps - heatmaps.select(1, 2)).abs().max().ToSingle());
        Assert.Equal(0, (result.Intermediate[0] - heatmaps).abs().max().ToSingle());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GradientsReachEveryParameter(bool withFusion)
    {
        // Zero-initialised layers on the longest path: D's last conv, then (behind it) E_S's last layer; the fusion head.
        using var model = new Continuity(withFusion: withFusion);
        Assert.Empty(TemporalHeadInputs.ParametersWithoutGradient(model, steps: 4));
    }

    [Fact]
    public void EveryTrainingTermReachesTheHead()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(2);
        using var model = new Continuity();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        var keypoints = rand(Batch, 5, 17, 3);
        using var batch = new WindowBatch(features, heatmaps, rand(Batch, 17, 64, 64), ones(Batch, 17), keypoints, ones(Batch, 5), features.clone(), []);
        using var result = model.call(features, heatmaps);
        using var terms = model.LossTerms(result, batch, new Random(1));
        foreach (var (term, name) in terms.All.Zip(new[] { "L_h2", "L_h1", "L_c", "L_s", "L_t" }))
        {
            model.zero_grad();
            term.backward(retain_graph: true);
            var reached = model.parameters().Count(p => p.grad is { } g && g.abs().sum().ToSingle() > 0);
            Assert.True(reached > 0 && float.IsFinite(term.ToSingle()), $"{name} = {term.ToSingle()} reaches {reached} parameters");
        }

        // L_c and L_s shape E_Z (and the embedding) directly; L_t only through the heatmaps.
        model.zero_grad();
        terms.Contrastive.backward(retain_graph: true);
        Assert.Contains(model.named_parameters(), p => p.name.StartsWith("semantic.", StringComparison.Ordinal) && p.parameter.grad is { } g && g.abs().sum().ToSingle() > 0);
    }

    [Fact]
    public void TheAblationWithoutFusionReadsOnlyTheKeyFrameAtInference()
    {
        using var scope = NewDisposeScope();
        using var model = new Continuity(withFusion: false);
        model.eval();
        var (features, heatmaps) = TemporalHeadInputs.Random(Batch, model);
        using var whole = model.call(features, heatmaps);
        features[.., 0] = zeros_like(features[.., 0]);
        heatmaps[.., 4] = zeros_like(heatmaps[.., 4]);
        using var changed = model.call(features, heatmaps);
        Assert.Equal(0, (whole.Heatmaps - changed.Heatmaps).abs().max().ToSingle());
        Assert.Equal([Batch, 1L, 17, 64, 64], whole.Intermediate[0].shape);
    }

    [Fact]
    public void TheContrastiveLossAsksDistantFramesToBeFartherApartThanAdjacentOnesByTheMargin()
    {
        // Z in one dimension: t−2 … t+2 = 0, 0, 0, 1, 0; α = 0.5.
        // d = 1: ‖Z_{t−1} − Z_{t+1}‖ = 1, ‖Z_{t−1} − Z_t‖ = 0, ‖Z_t − Z_{t+1}‖ = 1 → max(0, 0 − 1 + .5) + max(0, 1 − 1 + .5) = 0.5.
        // d = 2: every distance 0 → 0.5 + 0.5 = 1. L_c = (0.5 + 1) / 2 = 0.75.
        using var scope = NewDisposeScope();
        var z = tensor(new float[] { 0, 0, 0, 1, 0 }).view(1, 5, 1);
        Assert.Equal(0.75, ContinuityLosses.Contrastive(z, 0.5).ToSingle(), 5);

        // Frames on a line in time order (0, 1, 2, 3, 4): distant pairs are twice as far; no loss at α = 0.5.
        Assert.Equal(0, ContinuityLosses.Contrastive(arange(5, ScalarType.Float32).view(1, 5, 1), 0.5).ToSingle(), 5);

        // (Eq. 2 as printed would give 1.5 for the first case and charge the second.)

        // A window whose slot t+2 repeats another frame (a track's end): the d = 2 pair does not count.
        var ends = tensor(new float[] { 1, 1, 1, 1, 0 }).view(1, 5);
        Assert.Equal(0.5, ContinuityLosses.Contrastive(z, 0.5, ends).ToSingle(), 5);
        Assert.Equal(0, ContinuityLosses.Contrastive(z, 0.5, tensor(new float[] { 0, 0, 1, 0, 0 }).view(1, 5)).ToSingle(), 5);
    }

    [Fact]
    public void TheSpatialConsistencyLossIsTheMeanDistanceBetweenEmbeddings()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new float[] { 3, 0, 1, 0 }).view(2, 2);
        var turned = tensor(new float[] { 0, 4, 1, 0 }).view(2, 2);
        Assert.Equal(2.5, ContinuityLosses.SpatialConsistency(z, turned).ToSingle(), 5); // (5 + 0) / 2
    }

    [Fact]
    public void TheTrajectoryLossIsTheExpectedNeighbourhoodDifferenceOfOneHotHeatmaps()
    {
        // One joint, frames t and t+1 of the same 3×3 image [[1,2,3],[4,5,6],[7,8,9]], the keypoint at the
        // centre (1,1) in t and at the corner (0,0) in t+1; zero outside the image. Eq. 5 over 5×5:
        // where both neighbourhoods hold the image (offsets 0…1 on each axis) |img[1+i][1+j] − img[i][j]| = 4,
        // 4 cells → 16; cells only the centre's holds: 45 − (5+6+8+9) = 17; only the corner's: 45 − (1+2+4+5) = 33.
        // E = PD = 66 (one-hot probabilities).
        using var scope = NewDisposeScope();
        var image = arange(1, 10, ScalarType.Float32).view(1, 1, 1, 3, 3);
        var appearance = cat([image, image], 1); // [1, 2, 1, 3, 3]
        var heatmaps = zeros([1, 2, 1, 3, 3]);
        heatmaps[0, 0, 0, 1, 1] = tensor(0.8f);
        heatmaps[0, 1, 0, 0, 0] = tensor(0.3f);
        Assert.Equal(66, ContinuityLosses.TrajectoryDifference(heatmaps, appearance).ToSingle(), 3);
    }

    [Fact]
    public void TheTrajectoryLossMatchesEquationsFiveToSevenComputedNaively()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var (b, t, j, c, h, w) = (2, 3, 2, 2, 4, 5);
        var heatmaps = rand([b, t, j, h, w], generator: generator) - 0.2f; // some negative values, cut to zero
        var appearance = randn([b, t, c, h, w], generator: generator);
        var fast = ContinuityLosses.TrajectoryDifference(heatmaps, appearance, candidates: h * w).ToDouble();

        var hm = heatmaps.clamp_min(0).data<float>().ToArray();
        var ap = appearance.data<float>().ToArray();
        double Pixel(int bi, int ti, int ci, int y, int x) => y < 0 || y >= h || x < 0 || x >= w ? 0 : ap[((((((bi * t) + ti) * c) + ci) * h) + y) * w + x];
        double P(int bi, int ti, int ji, int y, int x, double sum) => hm[((((((bi * t) + ti) * j) + ji) * h) + y) * w + x] / sum;
        double total = 0;
        for (var bi = 0; bi < b; bi++)
        {
            for (var ji = 0; ji < j; ji++)
            {
                for (var ti = 0; ti + 1 < t; ti++)
                {
                    double Sum(int tt) => Enumerable.Range(0, h * w).Sum(i => (double)hm[((((((bi * t) + tt) * j) + ji) * h) + (i / w)) * w + (i % w)]);
                    var (s1, s2) = (Sum(ti), Sum(ti + 1));
                    double e = 0;
                    for (var p = 0; p < h * w; p++)
                    {
                        for (var q = 0; q < h * w; q++)
                        {
                            double pd = 0;
                            for (var dy = -2; dy <= 2; dy++)
                            {
                                for (var dx = -2; dx <= 2; dx++)
                                {
                                    for (var ci = 0; ci < c; ci++)
                                    {
                                        pd += Math.Abs(Pixel(bi, ti, ci, (p / w) + dy, (p % w) + dx) - Pixel(bi, ti + 1, ci, (q / w) + dy, (q % w) + dx));
                                    }
                                }
                            }

                            e += pd * P(bi, ti, ji, p / w, p % w, s1) * P(bi, ti + 1, ji, q / w, q % w, s2);
                        }
                    }

                    total += e;
                }
            }
        }

        var naive = total / (b * j);
        Assert.True(Math.Abs(fast - naive) < 1e-4 * naive, $"{fast} vs naive {naive}");
    }

    [Fact]
    public void OnlyTheMostProbablePositionsCountRenormalised()
    {
        // The 9 candidates against Eq. 6 over every pixel pair of heatmaps cut to their 9 highest pixels and renormalised.
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var heatmaps = rand([1, 2, 2, 8, 8], generator: generator);
        var appearance = randn([1, 2, 3, 8, 8], generator: generator);
        var flat = heatmaps.flatten(3);
        var threshold = flat.topk(9, dim: -1).values.min(-1, keepdim: true).values;
        var cut = (flat * flat.ge(threshold)).view(heatmaps.shape);
        var nine = ContinuityLosses.TrajectoryDifference(heatmaps, appearance, candidates: 9).ToSingle();
        var reference = ContinuityLosses.TrajectoryDifference(cut, appearance, candidates: 64).ToSingle();
        var everything = ContinuityLosses.TrajectoryDifference(heatmaps, appearance, candidates: 64).ToSingle();
        Assert.Equal(reference, nine, 3);
        Assert.True(Math.Abs(everything - nine) > 1e-2, $"the candidates matter here: {nine} vs {everything} over every pixel");
    }

    [Fact]
    public void TheIdentityMatrixLeavesMapsAsTheyAreAndRandomTurnsStayInTheirBounds()
    {
        using var scope = NewDisposeScope();
        var maps = rand(3, 2, 8, 8);
        var identity = tensor(new float[] { 1, 0, 0, 0, 1, 0 }).view(1, 2, 3).expand(3, -1, -1);
        Assert.True((AffineTransform.Apply(maps, identity) - maps).abs().max().ToSingle() < 1e-5);

        var theta = AffineTransform.RandomRotationScale(new Random(1), 200).data<float>().ToArray();
        for (var i = 0; i < 200; i++)
        {
            var (a, c) = (theta[(i * 6) + 0], theta[(i * 6) + 3]);
            Assert.Equal(-c, theta[(i * 6) + 1]);
            Assert.Equal(a, theta[(i * 6) + 4]);
            Assert.Equal(0, theta[(i * 6) + 2]);
            Assert.Equal(0, theta[(i * 6) + 5]);
            var scale = 1 / Math.Sqrt((a * a) + (c * c));
            var degrees = Math.Atan2(c, a) * 180 / Math.PI;
            Assert.InRange(scale, 0.75 - 1e-5, 1.25 + 1e-5);
            Assert.InRange(degrees, -30 - 1e-3, 30 + 1e-3);
        }
    }

    [Fact]
    public void ANeighboursTargetKeypointsAreCarriedIntoTheKeyCrop()
    {
        var neighbour = new BoundingBox(100, 50, 300, 250);
        var key = new BoundingBox(120, 40, 320, 240);
        var keypoints = new float[17 * 3];
        (keypoints[0], keypoints[1], keypoints[2]) = (0.5f, 0.25f, 0.9f); // image point (200, 100)
        var mapped = WindowAssembler.InKeyCrop(keypoints, neighbour, key);
        Assert.Equal((200f - 120) / 200, mapped[0], 5);
        Assert.Equal((100f - 40) / 200, mapped[1], 5);
        Assert.Equal(0.9f, mapped[2]);
        Assert.All(WindowAssembler.InKeyCrop(null, neighbour, key), v => Assert.Equal(0, v));

        (keypoints[3], keypoints[4], keypoints[5]) = (0.05f, 0.5f, 0.9f); // image x 110: left of the key crop
        Assert.Equal(0, WindowAssembler.InKeyCrop(keypoints, neighbour, key)[5]);
    }
}
