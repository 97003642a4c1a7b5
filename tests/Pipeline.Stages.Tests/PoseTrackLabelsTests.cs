using Pipeline.Stages.Evaluation.PoseTrack;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose.Temporal.Training;

namespace Pipeline.Stages.Tests;

/// <summary>PoseTrack annotations as training targets: which tracked person gets which label, and the label's joints.</summary>
public sealed class PoseTrackLabelsTests
{
    private static readonly BoundingBox Crop = new(0, 0, 200, 400);

    /// <summary>All 15 poseval joints of a person spanning (x0, 0) … (x0 + 100, 280): joint j at (x0 + 7 j, 20 j).</summary>
    private static PoseTrackPerson Person(float x0, int track = 1) =>
        new(track, null, true, [.. Enumerable.Range(0, 15).Select(j => new PoseTrackPoint(j, x0 + (7 * j), 20 * j, null))]);

    [Fact]
    public void JointsMapToCocoSlotsAndTheEyesAndEarsStayUnlabelled()
    {
        var label = PoseTrackLabels.Label(Person(0), Crop);
        // poseval 13 (nose) → COCO 0 at (91, 260); poseval 0 (right_ankle) → COCO 16 at (0, 0); 9 (left_shoulder) → 5 at (63, 180).
        Assert.Equal([91 / 200f, 260 / 400f, 1], label[0..3]);
        Assert.Equal([0, 0, 1], label[48..51]);
        Assert.Equal([63 / 200f, 180 / 400f, 1], label[15..18]);
        // Eyes (1, 2) and ears (3, 4): PoseTrack has none; head_bottom and head_top go nowhere.
        Assert.All(Enumerable.Range(1, 4), slot => Assert.Equal(0, label[(slot * 3) + 2]));
        Assert.Equal(13, Enumerable.Range(0, 17).Count(slot => label[(slot * 3) + 2] == 1));
    }

    [Fact]
    public void JointsOutsideTheCropAreUnlabelled()
    {
        // Shifted 150 px right: joints with x > 200 (j ≥ 8) leave the crop.
        var label = PoseTrackLabels.Label(Person(150), Crop);
        Assert.Equal(0, label[(6 * 3) + 2]); // right_shoulder, poseval 8 at x 206
        Assert.Equal(1, label[(16 * 3) + 2]); // right_ankle, poseval 0 at x 150
    }

    [Fact]
    public void TrackedPeopleTakeTheAnnotatedPersonTheyOverlapMost()
    {
        // Annotated extents: A (0, 0)–(98, 280), B (300, 0)–(398, 280).
        PoseTrackPerson[] annotated = [Person(0), Person(300, track: 2)];
        BoundingBox[] tracked = [new(290, -10, 410, 290), new(-5, -5, 100, 285), new(600, 0, 700, 280)];
        var labels = PoseTrackLabels.Match(annotated, tracked, [Crop, Crop, Crop]);
        Assert.Equal(PoseTrackLabels.Label(annotated[1], Crop), labels[0]);
        Assert.Equal(PoseTrackLabels.Label(annotated[0], Crop), labels[1]);
        Assert.Null(labels[2]); // overlaps nobody
    }

    [Fact]
    public void EachAnnotatedPersonLabelsOneTrackedPersonAboveTheIoUBar()
    {
        // Two tracked boxes on one annotated person: the closer one (IoU 0.98, the other 0.82) takes it, the other gets nothing.
        BoundingBox[] tracked = [new(0, 0, 120, 280), new(-2, 0, 98, 280)];
        var labels = PoseTrackLabels.Match([Person(0)], tracked, [Crop, Crop]);
        Assert.Null(labels[0]);
        Assert.NotNull(labels[1]);
        // A box overlapping by less than 0.3 is no match.
        Assert.Null(PoseTrackLabels.Match([Person(0)], [new BoundingBox(70, 0, 400, 280)], [Crop])[0]);
    }
}
