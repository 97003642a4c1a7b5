using Pipeline.Stages.Decode;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Sink;
using Pipeline.Stages.Track;
using static TorchSharp.torch;

namespace Pipeline.Graph;

/// <summary>
/// One input video: a stable id, the URI given by the user, and the local file to decode (empty for a
/// blob until the fetch stage has downloaded it).
/// </summary>
public sealed record VideoTask(string VideoId, string Uri, string LocalPath)
{
    /// <summary>A blob not yet downloaded.</summary>
    public bool NeedsFetch => LocalPath.Length == 0 && Error is null;

    /// <summary>The local file is a downloaded copy, deleted once decoded.</summary>
    public bool IsStagedCopy { get; init; }

    /// <summary>Why the video cannot be processed (set by the fetch stage); it is recorded as failed.</summary>
    public string? Error { get; init; }
}

/// <summary>Per-video counters, filled in as the video moves through the graph.</summary>
public sealed class VideoCounters
{
    public DecodeStatistics Decode { get; } = new();

    public long DetectedFrames { get; set; }

    public long Detections { get; set; }

    public HashSet<int> TrackIds { get; } = [];

    public long Windows { get; set; }

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
}

/// <summary>Everything that travels per video, in order: frames, then exactly one end marker.</summary>
public abstract record VideoEvent(VideoTask Video, VideoCounters Counters);

/// <summary>A decoded frame, with the people the detector and tracker found once they have run.</summary>
public sealed record FrameEvent(VideoTask Video, VideoCounters Counters, long Index, double PresentationTime, RgbImage Image) : VideoEvent(Video, Counters)
{
    /// <summary>Detections, or null on frames where the detector did not run (detect every k-th frame).</summary>
    public List<Detection>? Detections { get; init; }

    public List<TrackedPerson>? People { get; init; }
}

/// <summary>The end of a video's frames; <see cref="Error"/> is set when the video failed upstream.</summary>
public sealed record VideoEndEvent(VideoTask Video, VideoCounters Counters, string? Error) : VideoEvent(Video, Counters);

/// <summary>
/// One person's frame window around key frame t: crops [2δ+1, 3, S, S] (RGB 0–255, CPU) cut with
/// the key frame's crop region. Owns the tensor: whoever consumes it disposes it.
/// </summary>
public sealed record PoseWindow(VideoTask Video, long FrameIndex, double PresentationTime, int TrackId, BoundingBox Box, float BoxScore, BoundingBox Region, Tensor Crops);

/// <summary>Output of the window stage: a window, or a video's end (with how many windows it had).</summary>
public abstract record WindowMessage(VideoTask Video);

public sealed record WindowItem(PoseWindow Window) : WindowMessage(Window.Video);

public sealed record WindowsEnd(VideoTask Video, VideoCounters Counters, string? Error) : WindowMessage(Video);

/// <summary>
/// Windows of one video run through a pose worker together. <see cref="Last"/> marks a video's final
/// batch (sent even when empty, and for a failed video too), so a worker that keeps per-track state
/// flushes the key frames still waiting for future neighbours and forgets the video.
/// </summary>
public sealed record PoseBatch(VideoTask Video, IReadOnlyList<PoseWindow> Windows, bool Last = false);

/// <summary>What reaches the sink: pose results for a batch, or a video's closing count.</summary>
public abstract record SinkMessage(VideoTask Video);

public sealed record PoseResults(VideoTask Video, IReadOnlyList<PoseRow> Rows, string? Error) : SinkMessage(Video);

/// <summary>A video's end as the sink sees it: it is complete once <see cref="Batches"/> results have arrived.</summary>
public sealed record VideoClosed(VideoTask Video, VideoCounters Counters, int Batches, string? Error) : SinkMessage(Video);

/// <summary>The outcome of one video, for the run manifest.</summary>
public sealed record VideoOutcome(VideoTask Video, string Status, string? Reason, long Frames, long UndecodableFrames, int Tracks, long Rows, double Seconds, string? Output);
