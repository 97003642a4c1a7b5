using Pipeline.Stages.Evaluation.PoseTrack;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>A PoseTrack sequence to cache: its frame folder and its annotations (frames matched by image file name).</summary>
public sealed record LabelledSequence(string FrameFolder, PoseTrackSequence Annotations);
