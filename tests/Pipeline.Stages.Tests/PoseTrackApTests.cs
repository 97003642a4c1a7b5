using Pipeline.Stages.Evaluation.PoseTrack;

using static Pipeline.Stages.Tests.PoseTrackPeople;

namespace Pipeline.Stages.Tests;

/// <summary>poseval's multi-person AP on hand-built frames (<see cref="PoseTrackPeople"/>), each case saying what it checks.</summary>
public sealed class PoseTrackApTests
{
    private static PoseTrackApResult Score(IReadOnlyList<PoseTrackFrame> truth, IReadOnlyList<PoseTrackFrame> predicted) =>
        PoseTrackAp.Evaluate([(new PoseTrackSequence("000001_mpii_test", truth), new PoseTrackSequence("000001_mpii_test", predicted))]);

    [Fact]
    public void PerfectPredictionsScoreOneHundredEverywhere()
    {
        var result = Score([Frame(Truth(0))], [Frame(Guess(Joints(0, 0.9)))]);
        Assert.All(result.Ap, ap => Assert.Equal(100, ap, 12));
    }

    [Fact]
    public void AMissedJointHasNoPredictionsAndScoresZero()
    {
        // No right ankle (joint 0) predicted: its AP is 0 and Total the mean of 14 × 100 and 0.
        var result = Score([Frame(Truth(0))], [Frame(Guess(Joints(0, 0.9).Skip(1)))]);
        Assert.Equal(0, result.Ap[0]);
        Assert.Equal(1400.0 / 15, result.Ap[15], 12);
        Assert.Equal(100, PoseTrackApResult.Grouped(result.Ap)[0], 12); // Head
        Assert.Equal(50, PoseTrackApResult.Grouped(result.Ap)[6], 12); // Ankl
    }

    [Fact]
    public void ASwappedLeftRightPairMissesBoth()
    {
        // Wrists are joints 6 (right) and 11 (left), 50 px apart here: swapped, both miss.
        var points = Joints(0, 0.9);
        (points[6], points[11]) = (points[11] with { Joint = 6 }, points[6] with { Joint = 11 });
        var result = Score([Frame(Truth(0))], [Frame(Guess(points))]);
        Assert.Equal((0.0, 0.0), (result.Ap[6], result.Ap[11]));
        Assert.Equal(0, PoseTrackApResult.Grouped(result.Ap)[3]); // Wri
        Assert.Equal(100, result.Ap[7], 12);
    }

    [Fact]
    public void AFrameWithoutGroundTruthPeopleIsDroppedWithItsPredictions()
    {
        var empty = new PoseTrackFrame("images/val/000001_mpii_test/000001.jpg", [], []);
        var result = Score([Frame(Truth(0)), empty], [Frame(Guess(Joints(0, 0.5))), Frame(Guess(Joints(300, 0.9)))]);
        Assert.All(result.Ap, ap => Assert.Equal(100, ap, 12));
    }

    [Fact]
    public void PointsStrictlyInsideAnIgnoreRegionAreRemovedFromPredictions()
    {
        // A second, unmatched person at x = 400 is a false positive with the higher score …
        var frame = Frame(Truth(0));
        PoseTrackFrame[] predicted = [Frame(Guess(Joints(0, 0.5)), Guess(Joints(400, 0.9), track: 2))];
        Assert.Equal(50, Score([frame], predicted).Ap[15], 12);
        // … unless an ignore region covers it (its joints at x 400 … 540, y 200 … 620).
        (double, double)[] region = [(390, 190), (560, 190), (560, 630), (390, 630)];
        Assert.Equal(100, Score([frame with { IgnoreRegions = [region] }], predicted).Ap[15], 12);
        // A point on the region's edge is not inside it.
        Assert.False(PoseTrackAp.StrictlyInside(390, 300, region));
        Assert.True(PoseTrackAp.StrictlyInside(391, 300, region));
    }

    [Fact]
    public void ADuplicateThatLosesTheGreedyMatchIsAFalsePositive()
    {
        // Two predictions hit the one person equally; the first in the frame is assigned, the
        // duplicate (higher scores) becomes a miss ranked first: precision 0 then 1/2 → AP 50.
        var result = Score([Frame(Truth(0))], [Frame(Guess(Joints(0, 0.5)), Guess(Joints(0, 0.9, dx: 5), track: 2))]);
        Assert.All(result.Ap, ap => Assert.Equal(50, ap, 12));
        Assert.Equal(50, result.Precision[15], 12);
        Assert.Equal(100, result.Recall[15], 12);
    }

    [Fact]
    public void FrameCountsMustAgreeAndTrackIdsBeUniquePerFrame()
    {
        var truth = new PoseTrackSequence("s", [Frame(Truth(0))]);
        Assert.Contains("# prediction frames 2 <> # GT frames 1", Assert.Throws<InvalidDataException>(() => PoseTrackAp.Evaluate([(truth, new PoseTrackSequence("s", [Frame(), Frame()]))])).Message);
        var twice = new PoseTrackSequence("s", [Frame(Guess(Joints(0, 0.5)), Guess(Joints(10, 0.5)))]);
        Assert.Contains("Non-unique tracklet IDs", Assert.Throws<InvalidDataException>(() => PoseTrackAp.Evaluate([(truth, twice)])).Message);
    }

    [Theory]
    [InlineData(5.25, "5.2")]
    [InlineData(12.25, "12.2")]
    [InlineData(0.35, "0.3")]
    [InlineData(0.45, "0.5")]
    [InlineData(-0.04, "-0.0")]
    [InlineData(100, "100.0")]
    [InlineData(double.NaN, "nan")]
    public void NumbersPrintAsPythonsPercentOnePointOneF(double value, string expected) =>
        Assert.Equal(expected, PosevalTable.Fixed1(value));

    [Fact]
    public void RowsPrintAsPosevalsTable() =>
        Assert.Equal(@"&100.0 &  5.2 &  nan & 73.3 \\", PosevalTable.Row([100, 5.25, double.NaN, 73.3]));

    [Fact]
    public void TiedScoresRankAsNumpysArgsortDoes()
    {
        // Captured from numpy 1.24's np.argsort (introsort: unstable on ties, NaN last).
        var values = Enumerable.Range(0, 40).Select(i => ((i * 7) % 5) / 10.0).Concat([double.NaN, 0.3, 0.1]).ToArray();
        int[] numpy = [0, 35, 30, 5, 25, 20, 10, 15, 38, 33, 28, 23, 18, 42, 3, 13, 8, 6, 1, 36, 31, 26, 21, 16, 11, 41, 39, 34, 4, 14, 19, 9, 24, 29, 27, 22, 17, 2, 7, 37, 12, 32, 40];
        Assert.Equal(numpy, NumpyOrder.ArgSort(values));
    }
}
