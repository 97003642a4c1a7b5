using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Export;

/// <summary>
/// PoseTrack18's 17 keypoint slots from COCO's: PoseTrack keeps COCO's order but puts head_bottom
/// and head_top where COCO has the eyes (and does not annotate the ears). Our models give no head
/// points, so they are derived along the nose–neck line (neck = the shoulders' midpoint, d = neck −
/// nose): head_bottom = nose + 0.7 d, head_top = nose − 0.5 d; their score is the lowest of the
/// nose's and the shoulders'. The factors are the medians of where annotators put the two points
/// along that line on the PoseTrack18 people we have (MMPose's test annotations, 13 people with a
/// nose and shoulders; README, "Evaluation": head_bottom within PCKh@0.5 for 13 of 13, head_top
/// for 7 of 13 — the top also moves across the line as heads turn, which the nose alone cannot see).
/// </summary>
public static class PoseTrackJoints
{
    public static readonly string[] Names =
    [
        "nose", "head_bottom", "head_top", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
        "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
        "left_knee", "right_knee", "left_ankle", "right_ankle",
    ];

    public const int HeadBottom = 1;
    public const int HeadTop = 2;

    /// <summary>head_bottom = nose + 0.7 (neck − nose).</summary>
    public const float HeadBottomAlongNeck = 0.7f;

    /// <summary>head_top = nose − 0.5 (neck − nose).</summary>
    public const float HeadTopAlongNeck = -0.5f;

    /// <summary>
    /// A head box for PCKh, which poseval reads from ground truth: the square centred between
    /// head_top and head_bottom whose side is their distance (at least 1 px), as [x, y, w, h].
    /// </summary>
    public static float[] HeadBox(IReadOnlyList<Keypoint> joints)
    {
        var (top, bottom) = (joints[HeadTop], joints[HeadBottom]);
        var side = MathF.Max(1, MathF.Sqrt(((top.X - bottom.X) * (top.X - bottom.X)) + ((top.Y - bottom.Y) * (top.Y - bottom.Y))));
        var (cx, cy) = ((top.X + bottom.X) / 2, (top.Y + bottom.Y) / 2);
        return [cx - (side / 2), cy - (side / 2), side, side];
    }

    public static Keypoint[] FromCoco(IReadOnlyList<Keypoint> coco)
    {
        var joints = coco.ToArray();
        var nose = coco[0];
        var neckX = (coco[5].X + coco[6].X) / 2;
        var neckY = (coco[5].Y + coco[6].Y) / 2;
        var score = Math.Min(nose.Score, Math.Min(coco[5].Score, coco[6].Score));
        var (dx, dy) = (neckX - nose.X, neckY - nose.Y);
        joints[HeadBottom] = new Keypoint(nose.X + (HeadBottomAlongNeck * dx), nose.Y + (HeadBottomAlongNeck * dy), score);
        joints[HeadTop] = new Keypoint(nose.X + (HeadTopAlongNeck * dx), nose.Y + (HeadTopAlongNeck * dy), score);
        return joints;
    }
}
