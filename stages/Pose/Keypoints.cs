using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Pose;

/// <summary>The 17 COCO keypoints, in the order every model here outputs them.</summary>
public static class CocoKeypoints
{
    public static readonly string[] Names =
    [
        "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
        "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
        "left_knee", "right_knee", "left_ankle", "right_ankle",
    ];

    public const int Count = 17;

    /// <summary>Limbs as index pairs, for drawing skeletons.</summary>
    public static readonly (int From, int To)[] Skeleton =
    [
        (0, 1), (0, 2), (1, 3), (2, 4), (5, 6), (5, 7), (7, 9), (6, 8), (8, 10),
        (5, 11), (6, 12), (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
    ];
}

/// <summary>One keypoint in frame pixels with the model's confidence (0–1).</summary>
public readonly record struct Keypoint(float X, float Y, float Score);

/// <summary>A person's pose: the box it was estimated in, its score, and 17 COCO keypoints in frame pixels.</summary>
public sealed record PersonPose(BoundingBox Box, float BoxScore, Keypoint[] Keypoints);
