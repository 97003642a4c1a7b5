using Pipeline.Stages.Evaluation.PoseTrack;

using static Pipeline.Stages.Tests.PoseTrackPeople;

namespace Pipeline.Stages.Tests;

/// <summary>
/// poseval's tracking metrics (MOTA, MOTP, precision, recall) on hand-built sequences
/// (<see cref="PoseTrackPeople"/>), each case saying what it checks. Every joint is tracked on its
/// own, so a case that treats all joints alike gives every joint, and Total, the same numbers.
/// Bit-for-bit agreement with real poseval + motmetrics 1.4.0 + scipy 1.10 was checked by hand on
/// 189 random sequence sets (README, "Evaluation").
/// </summary>
public sealed class PoseTrackMotTests
{
    private const double Tolerance = 1e-9;

    private static PoseTrackMotResult Score(params (PoseTrackFrame Truth, PoseTrackFrame Predicted)[] frames) =>
        PoseTrackMot.Evaluate([(new PoseTrackSequence("000001_mpii_test", [.. frames.Select(f => f.Truth)]), new PoseTrackSequence("000001_mpii_test", [.. frames.Select(f => f.Predicted)]))]);

    private static (PoseTrackFrame, PoseTrackFrame) Exact(int predictedTrack) => (Frame(Truth(0)), Frame(Guess(Joints(0, 0.9), predictedTrack)));

    private static void AssertAll(PoseTrackMotResult result, double mota, double motp, double precision, double recall)
    {
        Assert.All(result.Mota, v => Assert.Equal(mota, v, Tolerance));
        Assert.All(result.Motp, v => Assert.Equal(motp, v, Tolerance));
        Assert.All(result.Precision, v => Assert.Equal(precision, v, Tolerance));
        Assert.All(result.Recall, v => Assert.Equal(recall, v, Tolerance));
    }

    [Fact]
    public void OneTrackFollowedExactlyScoresOneHundred() =>
        AssertAll(Score(Exact(7), Exact(7), Exact(7)), mota: 100, motp: 100, precision: 100, recall: 100);

    [Fact]
    public void ATrackIdSwitchCostsOneObjectsWorthOfMota()
    {
        // Scored frames 0–2 (poseval drops each sequence's last frame): match, match, switch → MOTA 1 − 1/3.
        AssertAll(Score(Exact(7), Exact(7), Exact(8), Exact(8)), mota: 200.0 / 3, motp: 100, precision: 100, recall: 100);
        // The same switch in the last frame is not scored.
        AssertAll(Score(Exact(7), Exact(7), Exact(8)), mota: 100, motp: 100, precision: 100, recall: 100);
    }

    [Fact]
    public void AFrameWithoutPredictionsCountsOneMissAndOneFalsePositiveWhateverItsPeople()
    {
        // poseval's placeholder for a frame without predictions: one object and one hypothesis that cannot
        // pair, even with two people in the frame. Frame 0: a match; frame 1: a miss and a false positive.
        var crowded = (Frame(Truth(0), Truth(300, track: 2)), Frame());
        AssertAll(Score(Exact(7), crowded, Exact(7)), mota: 0, motp: 100, precision: 50, recall: 50);
    }

    [Fact]
    public void AJointBeyondTheThresholdIsAMissAndAFalsePositive()
    {
        // 30 px off (threshold 19.2 px): in both scored frames a miss and a false positive → MOTA 1 − 2.
        var far = (Frame(Truth(0)), Frame(Guess(Joints(0, 0.9, dx: 30), 7)));
        AssertAll(Score(far, far, far), mota: -100, motp: 0, precision: 0, recall: 0);
    }

    [Fact]
    public void MotpSumsTheDistanceOfEveryLoggedEventAsPosevalDoes()
    {
        // 5 px off: each scored frame logs the pair twice (motmetrics' RAW row and the MATCH), so poseval's
        // MOTP is 1 − 2d, not 1 − d, with d = 5 / (0.6 × √(50² + 40²)).
        var near = (Frame(Truth(0)), Frame(Guess(Joints(0, 0.9, dx: 5), 7)));
        var d = 5 / (0.6 * Math.Sqrt((50 * 50) + (40 * 40)));
        AssertAll(Score(near, near, near), mota: 100, motp: 100 * (1 - (2 * d)), precision: 100, recall: 100);
    }

    [Fact]
    public void ADuplicatePredictionIsAFalsePositive()
    {
        var doubled = (Frame(Truth(0)), Frame(Guess(Joints(0, 0.9), 7), Guess(Joints(0, 0.5, dx: 2), 9)));
        var result = Score(doubled, doubled, doubled);
        Assert.Equal(0, result.Mota[15], Tolerance); // 2 objects, 2 false positives
        Assert.Equal(50, result.Precision[15], Tolerance);
        Assert.Equal(100, result.Recall[15], Tolerance);
    }

    [Fact]
    public void TrackingNeedsATrackIdOnEveryPerson()
    {
        var untracked = (Frame(Truth(0)), Frame(new PoseTrackPerson(null, null, true, Joints(0, 0.9))));
        var error = Assert.Throws<InvalidDataException>(() => Score(untracked, untracked));
        Assert.Contains("000001_mpii_test: a predicted person without a track id", error.Message);
    }

    [Fact]
    public void TheAccumulatorKeepsLastFramesPairsThenAssignsTheRestAndCountsSwitches()
    {
        var accumulator = new MotAccumulator();
        accumulator.Update([1, 2], [10, 20], new[,] { { 0.1, 0.2 }, { 0.2, 0.1 } });
        // Object 2 is nearer hypothesis 10 now, but keeps 20, which it matched last frame.
        accumulator.Update([1, 2], [10, 20], new[,] { { 0.3, double.NaN }, { 0.05, 0.3 } });
        Assert.Equal((4, 0), (accumulator.Matches, accumulator.Switches));
        // Object 1 pairs with 20 (object 2's before): a switch (and motmetrics' TRANSFER row).
        accumulator.Update([1], [20], new[,] { { 0.1 } });
        Assert.Equal((4, 1, 0, 0), (accumulator.Matches, accumulator.Switches, accumulator.Misses, accumulator.FalsePositives));
        // Distances logged: frame 1 RAW 0.1 0.2 0.2 0.1 + MATCH 0.1 0.1; frame 2 RAW 0.3 0.05 0.3 + MATCH 0.3 0.3;
        // frame 3 RAW 0.1 + TRANSFER 0.1 + SWITCH 0.1.
        Assert.Equal(0.8 + 1.25 + 0.3, accumulator.DistanceSum, 1e-12);
        Assert.Equal((5, 5), (accumulator.Objects, accumulator.Detections));
    }

    [Theory]
    [InlineData("5 5", "0", "0")]
    [InlineData("1 1; 1 1", "0 1", "0 1")]
    [InlineData("4 1 3; 2 0 5; 3 2 2", "0 1 2", "1 0 2")]
    [InlineData("1 2; 1 2; 0 9", "0 2", "1 0")]
    [InlineData("7 7 7; 7 7 7", "0 1", "0 1")]
    [InlineData("3 3; 1 1; 3 3", "0 1", "1 0")]
    public void AssignmentsTieBreakAsScipysLinearSumAssignment(string matrix, string rows, string columns)
    {
        // Expected values from scipy 1.10.1's linear_sum_assignment (also checked by hand on 3,000 random
        // small integer matrices, ties everywhere, all identical).
        static int[] Ints(string s) => [.. s.Split(' ').Select(int.Parse)];
        var cells = matrix.Split("; ").Select(r => r.Split(' ').Select(double.Parse).ToArray()).ToArray();
        var cost = new double[cells.Length, cells[0].Length];
        for (var i = 0; i < cells.Length; i++)
        {
            for (var j = 0; j < cells[0].Length; j++)
            {
                cost[i, j] = cells[i][j];
            }
        }

        var (r, c) = LinearSumAssignment.Solve(cost);
        Assert.Equal(Ints(rows), r);
        Assert.Equal(Ints(columns), c);
    }
}
