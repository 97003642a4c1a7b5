namespace Pipeline.Stages.Detect;

/// <summary>Settings of the NanoDet person detector.</summary>
public sealed class NanoDetOptions
{
    /// <summary>Minimum person score (default 0.5: people score 0.70–0.85 on the sample, clutter 0.30–0.41).</summary>
    public float ScoreThreshold { get; set; } = 0.5f;

    /// <summary>Boxes overlapping a better one by more than this IoU are dropped (default 0.6, NanoDet's own).</summary>
    public float NmsIoU { get; set; } = 0.6f;

    /// <summary>At most this many people per frame (default 50).</summary>
    public int MaxDetections { get; set; } = 50;

    /// <summary>Boxes smaller than this many pixels on either side (in the frame) are dropped (default 8).</summary>
    public float MinBoxSide { get; set; } = 8;

    public void Validate()
    {
        if (ScoreThreshold is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ScoreThreshold), ScoreThreshold, "must be in [0, 1]");
        }

        if (NmsIoU is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(NmsIoU), NmsIoU, "must be in (0, 1]");
        }

        if (MaxDetections < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDetections), MaxDetections, "must be at least 1");
        }
    }
}
