using Pipeline.Graph.Run;
using static Pipeline.Cli.Report.ReportHtml;

namespace Pipeline.Cli.Report;

/// <summary>
/// Assembles the report of one output: the run(s) and their totals, the per-video table (manifests
/// merged with the labels' own counts), then the plots and the lowest-confidence tracks. Sections
/// without data say so instead of drawing an empty plot.
/// </summary>
public static class ReportBuilder
{
    public static async Task<string> BuildAsync(ReportSource source, ReportOptions options, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var entries = RunManifests.MergeVideos(source.Manifests);
        using var statistics = source.ParquetFiles.Count > 0 ? new LabelStatistics(source.ParquetFiles) : null;
        var summaries = statistics?.Videos().ToDictionary(v => v.VideoId) ?? [];
        var sections = new List<string> { Runs(source, entries, summaries), Videos(entries, summaries, options) };
        if (statistics is not null)
        {
            var plotted = summaries.Values.OrderBy(v => v.MeanScore).ThenBy(v => v.VideoId, StringComparer.Ordinal).Take(options.MaxVideosPlotted).ToList();
            var cap = summaries.Count > plotted.Count ? $" The {plotted.Count} videos with the lowest mean keypoint score of {summaries.Count}." : "";
            sections.Add(Section("confidence", "Keypoint confidence per joint", "Share of each joint's keypoints in each score bin, over every row of the run.", ReportCharts.JointConfidence(statistics.JointScores())));
            sections.Add(Section("people", "People per frame", $"Tracked people in each frame (averaged over bins of frames on long videos; frames without people count as 0).{cap}",
                ReportCharts.PeopleOverTime([.. plotted.Select(v => statistics.PeoplePerFrame(v.VideoId, FrameCount(v, entries), options.PointsPerSeries))])));
            sections.Add(Section("timelines", "Track timelines", $"Frames in which each track has a row; breaks are frames it was not tracked in.{cap}",
                string.Concat(plotted.Select(v => $"<h3>{Encode(v.VideoId)}</h3>{Timeline(statistics.TrackSegments(v.VideoId), options)}"))));
            sections.Add(Jitter(statistics.Jitter()));
            sections.Add(await WeakTracksAsync(statistics.WeakestTracks(options.WeakTracks, options.MinWeakTrackRows), options, cancellationToken));
        }

        return Page($"Prelabel report: {source.Location}", ReportCharts.PlotlyScript(), sections);
    }

    private static long FrameCount(VideoLabelSummary video, IReadOnlyDictionary<string, RunManifest.VideoEntry> entries) =>
        entries.TryGetValue(video.VideoId, out var e) && e.Frames > video.LastFrame ? e.Frames : video.LastFrame + 1;

    private static string Runs(ReportSource source, IReadOnlyDictionary<string, RunManifest.VideoEntry> entries, IReadOnlyDictionary<string, VideoLabelSummary> summaries)
    {
        var runs = Table(
            ["manifest run", "status", "started", "finished", "videos", "done", "failed", "frames", "frames/s", "model"],
            source.Manifests.OrderBy(m => m.Started).Select(m => ((string?)null, (IReadOnlyList<string>)
            [
                Encode(m.RunId), Encode(m.Status), Encode(m.Started.ToString("u", System.Globalization.CultureInfo.InvariantCulture)),
                Encode(m.Finished?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "—"), Number(m.Summary.Videos), Number(m.Summary.Done),
                Number(m.Summary.Failed), Number(m.Summary.Frames), Number(m.Summary.FramesPerSecond, "0.0"),
                Encode(m.Configuration.TryGetValue("model", out var model) ? model?.ToString() ?? "" : ""),
            ])));
        var failed = entries.Values.Count(e => e.Status == "failed");
        var note = $"{entries.Count} videos in {source.Manifests.Count} manifests (shards' and workers' merged), {summaries.Count} Parquet files with {Number(summaries.Values.Sum(s => s.Rows))} rows"
            + (failed > 0 ? $"; <b>{failed} failed</b>" : "") + ".";
        return Section("run", "Run", note, source.Manifests.Count > 0 ? runs : "<p>No run manifest next to the files.</p>");
    }

    private static string Videos(IReadOnlyDictionary<string, RunManifest.VideoEntry> entries, IReadOnlyDictionary<string, VideoLabelSummary> summaries, ReportOptions options)
    {
        var ids = entries.Keys.Union(summaries.Keys).ToList();
        var ordered = ids
            .OrderByDescending(id => entries.TryGetValue(id, out var e) && e.Status == "failed")
            .ThenBy(id => summaries.TryGetValue(id, out var s) ? s.MeanScore : double.MaxValue)
            .ThenBy(id => id, StringComparer.Ordinal)
            .Take(options.MaxTableRows)
            .Select(id =>
            {
                entries.TryGetValue(id, out var e);
                summaries.TryGetValue(id, out var s);
                var status = e?.Status ?? "no manifest";
                return (status == "failed" ? "failed" : null, (IReadOnlyList<string>)
                [
                    Encode(id), Encode(status), e is null ? "—" : Number(e.Frames), e is null ? "—" : Number(e.UndecodableFrames),
                    s is null ? "0" : Number(s.Tracks), s is null ? "0" : Number(s.Rows), s is null ? "0" : Number(s.FramesWithPeople),
                    s is null ? "—" : Number(s.MeanScore, "0.000"), e is null ? "—" : Number(e.Seconds, "0.0"),
                    Encode(e?.Reason ?? ""),
                ]);
            });
        var note = "Failed videos first (with their reasons), then the lowest mean keypoint score."
            + (ids.Count > options.MaxTableRows ? $" The first {options.MaxTableRows} of {ids.Count} videos." : "");
        return Section("videos", "Videos", note, Table(["video", "status", "frames", "undecodable", "people (tracks)", "rows", "frames with people", "mean keypoint score", "seconds", "reason"], ordered));
    }

    private static string Timeline(IReadOnlyList<TrackSegment> segments, ReportOptions options)
    {
        var longest = segments.GroupBy(s => s.TrackId).OrderByDescending(g => g.Sum(s => s.LastFrame - s.FirstFrame + 1)).Take(options.MaxTimelineTracks).Select(g => g.Key).ToHashSet();
        // Flickering tracks on long videos have many runs: the longest runs, up to the cap, are drawn.
        var shown = segments.Where(s => longest.Contains(s.TrackId)).OrderByDescending(s => s.LastFrame - s.FirstFrame).Take(options.MaxTimelineSegments).ToList();
        return shown.Count == 0 ? "<p>No tracks.</p>" : ReportCharts.TrackTimeline(shown);
    }

    private static string Jitter(IReadOnlyList<TrackJitter> tracks) => Section(
        "jitter",
        "Keypoint jitter",
        $"Each track's median keypoint speed between consecutive frames (joints scoring ≥ {LabelStatistics.SpeedScoreFloor} in both), in box heights per second: real motion is a few box heights per second at most, a long tail is jitter.",
        tracks.Count == 0 ? "<p>No track has two consecutive frames.</p>" : ReportCharts.Jitter(tracks)
            + Table(["video", "track", "frame pairs", "median speed"], tracks.OrderByDescending(t => t.MedianSpeed).Take(10).Select(t => ((string?)null, (IReadOnlyList<string>)[Encode(t.VideoId), Number(t.TrackId), Number(t.Pairs), Number(t.MedianSpeed, "0.00")]))));

    private static async Task<string> WeakTracksAsync(IReadOnlyList<WeakTrack> tracks, ReportOptions options, CancellationToken cancellationToken)
    {
        var figures = new List<string>();
        var unreachable = 0;
        foreach (var t in tracks)
        {
            var thumbnail = await TrackThumbnails.TryCreateAsync(t, cancellationToken);
            unreachable += thumbnail is null ? 1 : 0;
            var image = thumbnail is null ? "<div style=\"width:160px;height:160px;background:#eee\"></div>" : $"<img src=\"{thumbnail}\" width=\"{TrackThumbnails.Size}\" height=\"{TrackThumbnails.Size}\" alt=\"track {t.TrackId}\">";
            figures.Add($"<figure class=\"thumb\">{image}<figcaption>{Encode(t.VideoId)}<br>track {t.TrackId}, {t.Rows} frames<br>mean score {Number(t.MeanScore, "0.000")}, frame {t.WorstFrame}</figcaption></figure>");
        }

        var note = $"The {tracks.Count} tracks of at least {options.MinWeakTrackRows} frames with the lowest mean keypoint score, each at its weakest frame."
            + (unreachable > 0 ? $" {unreachable} without a thumbnail: their videos are not files reachable here." : "");
        return Section("weak-tracks", "Lowest-confidence tracks", note, tracks.Count == 0 ? "<p>No track is long enough.</p>" : string.Concat(figures));
    }
}
