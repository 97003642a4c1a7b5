using System.Globalization;
using System.Text.RegularExpressions;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Export;

/// <summary>What `export` leaves out of the labels it writes, and how it names frames.</summary>
public sealed partial class ExportOptions
{
    /// <summary>Keypoints scoring below this are written as not labelled (COCO/PoseTrack v = 0, CVAT outside). Default 0: every keypoint is kept.</summary>
    public float MinKeypointScore { get; set; }

    /// <summary>Tracks with fewer rows (frames) than this are left out. Default 1: every track is kept.</summary>
    public int MinTrackFrames { get; set; } = 1;

    /// <summary>
    /// The image file name of a frame, relative to the folder the user loads the frames from:
    /// {video} is the video id, {frame} the frame index (C# format strings apply, e.g. {frame:000000}),
    /// {folder} the input's name (a frame folder's, or a video file's without extension), {name} a
    /// frame-folder frame's own image file (e.g. images/val/{folder}/{name} for PoseTrack).
    /// Default "{video}/{frame:000000}.jpg", what `ffmpeg -i VIDEO -fps_mode passthrough -start_number 0 VIDEO_ID/%06d.jpg` writes.
    /// </summary>
    public string ImageNamePattern { get; set; } = "{video}/{frame:000000}.jpg";

    public bool Keeps(Keypoint keypoint) => keypoint.Score >= MinKeypointScore;

    /// <summary>Whether names need each frame's image file ({name}).</summary>
    public bool UsesFrameNames => ImageNamePattern.Contains("{name}", StringComparison.Ordinal);

    public string ImageName(string videoId, long frameIndex, string folder = "", string frameName = "") =>
        FramePattern().Replace(
            ImageNamePattern.Replace("{video}", videoId, StringComparison.Ordinal).Replace("{folder}", folder, StringComparison.Ordinal).Replace("{name}", frameName, StringComparison.Ordinal),
            m => frameIndex.ToString(m.Groups[1].Value, CultureInfo.InvariantCulture));

    public void Validate()
    {
        if (MinKeypointScore is < 0 or > 1 || float.IsNaN(MinKeypointScore))
        {
            throw new ArgumentException($"--min-keypoint-score {MinKeypointScore}: must be within 0–1");
        }

        if (MinTrackFrames < 1)
        {
            throw new ArgumentException($"--min-track-frames {MinTrackFrames}: must be at least 1");
        }

        if (!FramePattern().IsMatch(ImageNamePattern) && !UsesFrameNames)
        {
            throw new ArgumentException($"--image-names {ImageNamePattern}: must contain {{frame}} or {{name}} (e.g. {{video}}/{{frame:000000}}.jpg), or every frame would get the same name");
        }
    }

    [GeneratedRegex(@"\{frame(?::([^}]*))?\}")]
    private static partial Regex FramePattern();
}
