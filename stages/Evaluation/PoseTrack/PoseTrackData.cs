namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>poseval's 15 joints, by the ids it gives them (PoseTrack18's names; PoseTrack17 calls 12 "neck").</summary>
public static class PoseTrackJointIds
{
    public static readonly string[] Names =
    [
        "right_ankle", "right_knee", "right_hip", "left_hip", "left_knee", "left_ankle", "right_wrist", "right_elbow",
        "right_shoulder", "left_shoulder", "left_elbow", "left_wrist", "head_bottom", "nose", "head_top",
    ];

    public const int Count = 15;
}

/// <summary>One annotated or predicted joint (a poseval point): its id, position and score (null when the file gives none).</summary>
public sealed record PoseTrackPoint(int Joint, double X, double Y, double? Score);

/// <summary>
/// A person of one frame (a poseval annorect): its track id, head box (x1, y1, x2, y2; needed for
/// ground truth), whether it has an annopoints list at all, and its points in file order.
/// </summary>
public sealed record PoseTrackPerson(int? TrackId, double[]? Head, bool HasAnnopoints, IReadOnlyList<PoseTrackPoint> Points)
{
    /// <summary>The first point with this joint id (poseval's getPointGTbyID), or null.</summary>
    public PoseTrackPoint? Point(int joint) => Points.FirstOrDefault(p => p.Joint == joint);
}

/// <summary>One frame: its image's file name, its people, and its ignore regions (polygons of x, y vertices).</summary>
public sealed record PoseTrackFrame(string ImageName, IReadOnlyList<PoseTrackPerson> People, IReadOnlyList<(double X, double Y)[]> IgnoreRegions);

/// <summary>One annotation file's sequence: its name (the file name without extension) and frames in file order.</summary>
public sealed record PoseTrackSequence(string Name, IReadOnlyList<PoseTrackFrame> Frames);
