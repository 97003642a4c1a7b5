using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace Pipeline.Cli.Report;

/// <summary>
/// The report's plots as HTML fragments (a div and the script that draws it) made with Plotly.NET,
/// whose plotly.js the document embeds once (<see cref="PlotlyScript"/>). Data arrive aggregated:
/// every chart's size is bounded by the report's caps, not by the run's.
/// </summary>
public static class ReportCharts
{
    private const int Width = 1100;

    /// <summary>
    /// plotly.js as Plotly.NET ships it inside its assembly. Plotly.NET's own documents load it from
    /// a CDN by default, which an offline report cannot, so the report inlines this copy.
    /// </summary>
    public static string PlotlyScript()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".min.js", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        // A literal "</script" would end the inline element early.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The share of each joint's keypoints in each 0.1 score bin (columns joints, rows bins).</summary>
    public static string JointConfidence(IReadOnlyList<JointScoreHistogram> joints)
    {
        var bins = Enumerable.Range(0, 10).Select(b => $"{b / 10.0:0.0}–{(b + 1) / 10.0:0.0}").ToArray();
        var z = Enumerable.Range(0, 10).Select(b => joints.Select(j => Share(j.Counts, b)).ToArray()).ToArray();
        return Html(Chart.Heatmap<double, string, string, string>(z, X: joints.Select(j => j.Joint).ToArray(), Y: bins, ColorScale: StyleParam.Colorscale.Viridis)
            .WithXAxisStyle<double, double, string>(TitleText: "joint")
            .WithYAxisStyle<double, double, string>(TitleText: "keypoint score (share of the joint's rows, %)"), 480);
    }

    public static string PeopleOverTime(IReadOnlyList<PeopleOverTime> videos)
    {
        var lines = videos.Select(v => Chart.Line<long, double, string>(v.BinStartFrames, v.People, Name: v.VideoId)).ToArray();
        return Html(Chart.Combine(lines)
            .WithXAxisStyle<double, double, string>(TitleText: "frame")
            .WithYAxisStyle<double, double, string>(TitleText: "people per frame"), 420);
    }

    /// <summary>One line per unbroken run of a track (gaps show as breaks), tracks on the y axis.</summary>
    public static string TrackTimeline(IReadOnlyList<TrackSegment> segments)
    {
        var x = segments.SelectMany(s => new double[] { s.FirstFrame, s.LastFrame + 1, double.NaN }).ToArray();
        var y = segments.SelectMany(s => new double[] { s.TrackId, s.TrackId, double.NaN }).ToArray();
        var tracks = segments.Select(s => s.TrackId).Distinct().Count();
        return Html(Chart.Line<double, double, string>(x, y, Name: "tracks", LineWidth: 6)
            .WithXAxisStyle<double, double, string>(TitleText: "frame")
            .WithYAxisStyle<double, double, string>(TitleText: "track id"), Math.Clamp(120 + (tracks * 12), 240, 900));
    }

    /// <summary>Tracks counted by their median keypoint speed, in bins up to the 99th percentile (the last bin holds the rest).</summary>
    public static string Jitter(IReadOnlyList<TrackJitter> tracks, int bins = 30)
    {
        var speeds = tracks.Select(t => t.MedianSpeed).Order().ToArray();
        var top = Math.Max(speeds[(int)Math.Min(speeds.Length - 1, Math.Floor(0.99 * speeds.Length))], 1e-6);
        var counts = new int[bins];
        foreach (var s in speeds)
        {
            counts[Math.Min(bins - 1, (int)(s / top * (bins - 1)))]++;
        }

        var centres = Enumerable.Range(0, bins).Select(b => (b + 0.5) * top / (bins - 1)).ToArray();
        return Html(Chart.Column<int, double, string>(counts, centres, Name: "tracks")
            .WithXAxisStyle<double, double, string>(TitleText: "median keypoint speed (box heights per second)")
            .WithYAxisStyle<double, double, string>(TitleText: "tracks"), 380);
    }

    private static double Share(long[] counts, int bin)
    {
        var total = counts.Sum();
        return total == 0 ? 0 : Math.Round(100.0 * counts[bin] / total, 2);
    }

    private static string Html(GenericChart chart, int height) =>
        GenericChart.toChartHTML(chart.WithSize(Width, height));
}
