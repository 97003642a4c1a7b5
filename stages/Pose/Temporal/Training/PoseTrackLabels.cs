using Pipeline.Stages.Evaluation.PoseTrack;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>
/// Human labels as training targets: the annotated people of a PoseTrack frame matched to the people
/// the pipeline tracked on it, and each match's joints in the head's COCO order, crop-normalised.
/// PoseTrack annotates 13 of COCO's 17 joints (nose, shoulders … ankles) and two of its own
/// (head_bottom, head_top, which no COCO slot holds); the eyes and ears are never annotated, so their
/// targets are 0 and the loss does not weigh them (<see cref="HeatmapTargets"/> weighs a joint by its
/// target's score).
/// </summary>
public static class PoseTrackLabels
{
    /// <summary>
    /// A tracked box and an annotated person match at this IoU or more (the annotation's box is its
    /// points' extent, tighter than a detector's box, so the bar is lower than a tracker's).
    /// </summary>
    public const float MinIoU = 0.3f;

    /// <summary>The COCO slot of each poseval joint id (−1: head_bottom and head_top have none).</summary>
    private static readonly int[] CocoSlot = [16, 14, 12, 11, 13, 15, 10, 8, 6, 5, 7, 9, -1, 0, -1];

    /// <summary>
    /// Per tracked person, its label — (x, y, 1) for each annotated joint inside its crop region, (0, 0, 0)
    /// elsewhere, × 17 in COCO's order, crop-normalised — or null when no annotated person matched.
    /// Matching is greedy by IoU (largest first, then the lower indices), each side used once.
    /// </summary>
    public static float[]?[] Match(IReadOnlyList<PoseTrackPerson> annotated, IReadOnlyList<BoundingBox> tracked, IReadOnlyList<BoundingBox> cropRegions)
    {
        var labels = new float[]?[tracked.Count];
        var extents = annotated.Select(Extent).ToList();
        var pairs = new List<(float IoU, int Tracked, int Annotated)>();
        for (var t = 0; t < tracked.Count; t++)
        {
            for (var a = 0; a < annotated.Count; a++)
            {
                if (extents[a] is { } extent && tracked[t].IoU(extent) is var iou && iou >= MinIoU)
                {
                    pairs.Add((iou, t, a));
                }
            }
        }

        var used = new HashSet<int>();
        foreach (var (_, t, a) in pairs.OrderByDescending(p => p.IoU).ThenBy(p => p.Tracked).ThenBy(p => p.Annotated))
        {
            if (labels[t] is null && used.Add(a))
            {
                labels[t] = Label(annotated[a], cropRegions[t]);
            }
        }

        return labels;
    }

    /// <summary>An annotated person's joints in COCO's order, crop-normalised; joints outside the crop are left unlabelled.</summary>
    public static float[] Label(PoseTrackPerson person, BoundingBox region)
    {
        var label = new float[BackboneCache.Joints * 3];
        foreach (var point in person.Points)
        {
            var slot = point.Joint is >= 0 and < PoseTrackJointIds.Count ? CocoSlot[point.Joint] : -1;
            var (x, y) = ((float)((point.X - region.X1) / region.Width), (float)((point.Y - region.Y1) / region.Height));
            if (slot >= 0 && x is >= 0 and <= 1 && y is >= 0 and <= 1)
            {
                (label[slot * 3], label[(slot * 3) + 1], label[(slot * 3) + 2]) = (x, y, 1);
            }
        }

        return label;
    }

    /// <summary>The extent of a person's points, or null with fewer than two distinct corners.</summary>
    private static BoundingBox? Extent(PoseTrackPerson person)
    {
        if (person.Points.Count == 0)
        {
            return null;
        }

        var box = new BoundingBox((float)person.Points.Min(p => p.X), (float)person.Points.Min(p => p.Y), (float)person.Points.Max(p => p.X), (float)person.Points.Max(p => p.Y));
        return box.Width > 0 && box.Height > 0 ? box : null;
    }
}
