using Pipeline.Stages.Sink;

namespace Pipeline.Stages.Export;

/// <summary>The frames of a video as an annotation tool will load them: their size and how many were decoded.</summary>
/// <param name="Count">Frames decoded (the run manifest's count; frame_index runs 0 … Count − 1).</param>
public readonly record struct VideoFrames(int Width, int Height, long Count);

/// <summary>One video's labels with its frames, the rows already filtered by <see cref="ExportOptions"/>.</summary>
public sealed record ExportVideo(string VideoId, string VideoUri, string Model, VideoFrames Frames, IReadOnlyList<PoseRow> Rows)
{
    /// <summary>
    /// Applies the options' track-length filter (keypoint scores are applied by each writer, which
    /// marks low keypoints as not labelled in its own way).
    /// </summary>
    public static ExportVideo From(VideoLabels labels, VideoFrames frames, ExportOptions options)
    {
        var longEnough = labels.Rows.GroupBy(r => r.TrackId).Where(g => g.Count() >= options.MinTrackFrames).Select(g => g.Key).ToHashSet();
        return new ExportVideo(labels.VideoId, labels.VideoUri, labels.Model, frames, [.. labels.Rows.Where(r => longEnough.Contains(r.TrackId))]);
    }
}

/// <summary>A person read back from an exported file: null keypoints were written as not labelled.</summary>
public sealed record ExportedPerson(string VideoId, long FrameIndex, int TrackId, Imaging.BoundingBox Box, Pose.Keypoint?[] Keypoints);
