namespace Pipeline.Stages.Track;

/// <summary>ByteTrack's parameters (defaults as in the ByteTrack paper's MOT17 settings, frame rate adjusted).</summary>
public sealed class ByteTrackOptions
{
    /// <summary>Detections at or above this score are "high" and take part in the first association (default 0.5).</summary>
    public float HighScore { get; set; } = 0.5f;

    /// <summary>Detections between this and <see cref="HighScore"/> only extend existing tracks (default 0.1).</summary>
    public float LowScore { get; set; } = 0.1f;

    /// <summary>A new track is born from an unmatched high detection at or above this score (default 0.6).</summary>
    public float NewTrackScore { get; set; } = 0.6f;

    /// <summary>First association: match if IoU ≥ this (ByteTrack's match_thresh 0.8 on 1 − IoU; default 0.2).</summary>
    public float FirstMatchIoU { get; set; } = 0.2f;

    /// <summary>Second (low-score) association: match if IoU ≥ this (default 0.5).</summary>
    public float SecondMatchIoU { get; set; } = 0.5f;

    /// <summary>Unconfirmed tracks (born last frame) are kept if IoU ≥ this with a detection (default 0.3).</summary>
    public float UnconfirmedMatchIoU { get; set; } = 0.3f;

    /// <summary>A lost track is removed after this many seconds without a match (default 3 s; ByteTrack's 30-frame buffer at 10 fps).</summary>
    public double MaxLostSeconds { get; set; } = 3.0;

    public void Validate()
    {
        if (LowScore < 0 || HighScore < LowScore || NewTrackScore < HighScore || HighScore > 1)
        {
            throw new ArgumentException("ByteTrack scores must satisfy 0 <= LowScore <= HighScore <= NewTrackScore <= 1");
        }

        if (MaxLostSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLostSeconds), MaxLostSeconds, "must not be negative");
        }
    }
}
