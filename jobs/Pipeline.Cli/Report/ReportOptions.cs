namespace Pipeline.Cli.Report;

/// <summary>
/// The report's size caps: a run of any size gives a file of bounded size (plotly.js, ~3.6 MB, plus
/// at most ~1–2 MB of tables, plots and thumbnails at the defaults), so it opens quickly in a browser.
/// </summary>
public sealed class ReportOptions
{
    /// <summary>Rows of the per-video table: failed videos first, then the lowest mean keypoint score. Default 1,000.</summary>
    public int MaxTableRows { get; set; } = 1000;

    /// <summary>Videos with their own plots (people per frame, track timeline), the lowest mean keypoint score first. Default 8.</summary>
    public int MaxVideosPlotted { get; set; } = 8;

    /// <summary>Points per people-per-frame line (frames are averaged in bins beyond it). Default 300.</summary>
    public int PointsPerSeries { get; set; } = 300;

    /// <summary>Tracks drawn in one video's timeline (the longest). Default 200.</summary>
    public int MaxTimelineTracks { get; set; } = 200;

    /// <summary>Unbroken runs drawn in one video's timeline (the longest). Default 2,000.</summary>
    public int MaxTimelineSegments { get; set; } = 2000;

    /// <summary>Lowest-confidence tracks listed with thumbnails. Default 12.</summary>
    public int WeakTracks { get; set; } = 12;

    /// <summary>Tracks shorter than this are not ranked among the lowest-confidence ones (a one-frame track says little). Default 5.</summary>
    public int MinWeakTrackRows { get; set; } = 5;

    public void Validate()
    {
        foreach (var (name, value) in new[] { ("--max-table-rows", MaxTableRows), ("--max-videos-plotted", MaxVideosPlotted), ("points per series", PointsPerSeries), ("timeline tracks", MaxTimelineTracks), ("timeline segments", MaxTimelineSegments), ("--weak-tracks", WeakTracks), ("weak track rows", MinWeakTrackRows) })
        {
            if (value < 1)
            {
                throw new ArgumentException($"{name} {value}: must be at least 1");
            }
        }
    }
}
