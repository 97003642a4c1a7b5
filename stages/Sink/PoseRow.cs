using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Sink;

/// <summary>One output row: a tracked person in one frame, with 17 keypoints in frame pixels.</summary>
/// <param name="FrameName">The frame's image file for frame-folder inputs, "" for videos.</param>
public sealed record PoseRow(long FrameIndex, double PresentationTime, int TrackId, BoundingBox Box, float BoxScore, Keypoint[] Keypoints, string FrameName = "");
