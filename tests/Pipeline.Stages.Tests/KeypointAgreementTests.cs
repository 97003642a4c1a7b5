using Pipeline.Stages.Evaluation;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Tests;

/// <summary>OKS, AP, PCK and the paired bootstrap against cases worked out by hand (in the comments).</summary>
public sealed class KeypointAgreementTests
{
    private static readonly Keypoint[] Origin = [.. Enumerable.Repeat(new Keypoint(50, 50, 1), 17)];

    private static bool[] Only(params int[] joints) => [.. Enumerable.Range(0, 17).Select(joints.Contains)];

    private static PairedPose Pose(double score, bool[] visible, Func<int, (float Dx, float Dy)> offset, BoundingBox? box = null) => new(
        box ?? new BoundingBox(0, 0, 100, 100),
        Origin,
        visible,
        [.. Enumerable.Range(0, 17).Select(i => new Keypoint(50 + offset(i).Dx, 50 + offset(i).Dy, (float)score))]);

    [Fact]
    public void OksFollowsCocosDefinition()
    {
        // Nose (σ = 0.026, κ = 0.052), 3-4-5 px off, area 100 × 100: e = 25 / 0.052² / 10000 / 2 = 0.462278, OKS = exp(−e) = 0.629847.
        Assert.Equal(0.629847, KeypointAgreement.Oks(Pose(1, Only(0), _ => (3, 4))), 6);
        // Add the left hip (σ = 0.107, κ = 0.214) 10 px off: e = 100 / 0.045796 / 20000 = 0.109180, exp = 0.896569; OKS is the mean.
        Assert.Equal((0.629847 + 0.896569) / 2, KeypointAgreement.Oks(Pose(1, Only(0, 11), i => i == 0 ? (3, 4) : (10, 0))), 6);
        // Invisible joints do not count, however far off; no visible joint at all gives 0.
        Assert.Equal(1, KeypointAgreement.Oks(Pose(1, Only(5), i => i == 5 ? (0, 0) : (500, 500))), 12);
        Assert.Equal(0, KeypointAgreement.Oks(Pose(1, Only(), _ => (0, 0))));
    }

    // Four persons whose OKS and person score are set (no OKS sits on a threshold: like COCO's
    // np.linspace, the thresholds are 0.5 + 0.05·i in floating point, 0.6000000000000001 for instance): OKS 0.91, 0.62, 0.96, 0.30 with scores 0.9, 0.8, 0.7, 0.6.
    private static List<PairedPose> FourPersons()
    {
        // OKS of one visible joint (the left hip, κ = 0.214, area 10⁴) at distance d: exp(−d² / (0.214² · 10⁴ · 2)).
        static float DistanceFor(double oks) => (float)Math.Sqrt(-Math.Log(oks) * 0.214 * 0.214 * 10000 * 2);
        return [.. new[] { (0.91, 0.9), (0.62, 0.8), (0.96, 0.7), (0.30, 0.6) }.Select(p => Pose(p.Item2, Only(11), _ => (DistanceFor(p.Item1), 0)))];
    }

    [Fact]
    public void AveragePrecisionInterpolatesAt101RecallPoints()
    {
        var persons = FourPersons();
        Assert.Equal(0.91, KeypointAgreement.Oks(persons[0]), 6);
        // Threshold 0.5: by score TP TP TP FP; recall reaches 0.75 with precision 1, then nothing: 76 of 101 points at 1.
        Assert.Equal(76.0 / 101, KeypointAgreement.AveragePrecision(persons, 0.5), 9);
        // Threshold 0.7: TP FP TP FP; precision 1, 1/2, 2/3, 1/2, made monotone 1, 2/3, 2/3, 1/2; recall 0.25 then 0.5:
        // points 0–25 at 1, 26–50 at 2/3.
        Assert.Equal((26 + (25 * 2.0 / 3)) / 101, KeypointAgreement.AveragePrecision(persons, 0.7), 9);
        // Threshold 0.95: FP FP TP FP; the best precision reaching recall 0.25 is 1/3: points 0–25.
        Assert.Equal(26.0 / 3 / 101, KeypointAgreement.AveragePrecision(persons, 0.95), 9);
        // COCO AP: 0.50–0.60 as at 0.5, 0.65–0.90 as at 0.7, 0.95 alone.
        var expected = ((3 * 76.0) + (6 * (26 + (25 * 2.0 / 3))) + (26.0 / 3)) / 101 / 10;
        Assert.Equal(expected, KeypointAgreement.AveragePrecision(persons), 9);
        // Persons without a visible joint are left out (they would otherwise lower recall).
        Assert.Equal(expected, KeypointAgreement.AveragePrecision([.. persons, Pose(0.95, Only(), _ => (0, 0))]), 9);
    }

    [Fact]
    public void PckCountsJointsWithinATenthOfTheLongerSide()
    {
        // Box 100 × 50: the limit is 10 px; joints 5 px, exactly 10 px and 11 px off.
        var box = new BoundingBox(0, 0, 100, 50);
        var pose = Pose(1, Only(0, 1, 2), i => i switch { 0 => (3, 4), 1 => (6, 8), _ => (11, 0) }, box);
        Assert.Equal(2.0 / 3, KeypointAgreement.Pck([pose]), 12);
        Assert.Equal(1.0 / 3, KeypointAgreement.Pck([pose], 0.05), 12);
    }

    [Fact]
    public void ThePairedBootstrapIntervalSeesAClearWinnerAndNoDifferenceBetweenEquals()
    {
        var random = new Random(3);
        var worse = new List<PairedPose>();
        var better = new List<PairedPose>();
        for (var i = 0; i < 200; i++)
        {
            var error = (float)(random.NextDouble() * 20);
            var score = random.NextDouble();
            worse.Add(Pose(score, Only(5, 6, 11, 12), _ => (error, 0)));
            better.Add(Pose(score, Only(5, 6, 11, 12), _ => (error / 3, 0)));
        }

        var (difference, low, high) = KeypointAgreement.PairedBootstrap(better, worse, resamples: 300);
        Assert.True(difference > 0 && low > 0 && high >= difference && low <= difference, $"{difference} [{low}, {high}]");
        Assert.Equal((0.0, 0.0, 0.0), KeypointAgreement.PairedBootstrap(worse, worse, resamples: 50));
        Assert.Throws<ArgumentException>(() => KeypointAgreement.PairedBootstrap(worse, better.Take(5).ToList()));
    }
}
