using Pipeline.Stages.Sink;

namespace Pipeline.Stages.Export;

/// <summary>The frames of a video as an annotation tool will load them: their size and how many were decoded.</summary>
/// <param name="Count">Frames decoded (the run manifest's count; frame_index runs 0 … Count − 1).</param>
public readonly record struct VideoFrames(int Width, int Height, long Count);

/// <summary>One video's labels with its frames, the rows already filtered by <see cref="ExportOptions"/>.</summary>
/// <param name="FrameNames">A frame-folder input's image file per frame index, when known (else empty).</param>
public sealed record ExportVideo(string VideoId, string VideoUri, string Model, VideoFrames Frames, IReadOnlyList<PoseRow> Rows, IReadOnlyDictionary<long, string>? FrameNames = null)
{
    /// <summary>The input's name: a frame folder's, or a video file's without its extension.</summary>
    public string Folder => Path.GetFileNameWithoutExtension(VideoUri.TrimEnd('/', '\\'));

    /// <summary>Frame <paramref name="frame"/>'s image name under the options' pattern.</summary>
    public string ImageName(ExportOptions options, long frame) =>
        options.ImageName(VideoId, frame, Folder, FrameNames is not null && FrameNames.TryGetValue(frame, out var name) ? name : "");

    /// <summary>
    /// Applies the options' track-length filter (keypoint scores are applied by each writer, which
    /// marks low keypoints as not labelled in its own way).
    /// </summary>
    /// <param name="frameNames">Each frame's image file, for frame-folder inputs (null for videos).</param>
    public static ExportVideo From(VideoLabels labels, VideoFrames frames, ExportOptions options, IReadOnlyDictionary<long, string>? frameNames = null)
    {
        var longEnough = labels.Rows.GroupBy(r => r.TrackId).Where(g => g.Count() >= options.MinTrackFrames).Select(g => g.Key).ToHashSet();
        return new ExportVideo(labels.VideoId, labels.VideoUri, labels.Model, frames, [.. labels.Rows.Where(r => longEnough.Contains(r.TrackId))], frameNames);
    }
}

/// <summary>A person read back from an exported file: null keypoints were written as not labelled.</summary>
public sealed record ExportedPerson(string VideoId, long FrameIndex, int TrackId, Imaging.BoundingBox Box, Pose.Keypoint?[] Keypoints);
