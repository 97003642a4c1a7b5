using Pipeline.Stages.Evaluation.PoseTrack;

namespace Pipeline.Stages.Tests;

/// <summary>
/// Hand-built PoseTrack people for the evaluation tests. Every ground-truth person's head box is 50 × 40
/// (head size 0.6 × 64.03 = 38.4 px, so a joint hits within 19.2 px).
/// </summary>
internal static class PoseTrackPeople
{
    public static readonly double[] Head = [100, 100, 150, 140];

    /// <summary>All 15 joints of a person standing at (x, 0): joint j at (x + 10 j, 200 + 30 j).</summary>
    public static PoseTrackPoint[] Joints(double x, double? score = null, double dx = 0) =>
        [.. Enumerable.Range(0, 15).Select(j => new PoseTrackPoint(j, x + (10 * j) + dx, 200 + (30 * j), score))];

    public static PoseTrackPerson Truth(double x, int track = 1) => new(track, Head, true, Joints(x));

    public static PoseTrackPerson Guess(IEnumerable<PoseTrackPoint> points, int track = 1) => new(track, null, true, [.. points]);

    public static PoseTrackFrame Frame(params PoseTrackPerson[] people) => new("images/val/000001_mpii_test/000000.jpg", people, []);
}
