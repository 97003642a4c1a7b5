namespace Pipeline.Cli.Tests;

public sealed class ReportCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("report-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task AReportOfARunOpensOfflineWithItsPlotsDrawnAndItsFailuresListed()
    {
        var output = Path.Combine(directory, "out");
        await SyntheticRun.WriteAsync(output, videos: 4, failed: 2);
        var report = Path.Combine(directory, "report.html");
        var result = await CliRunner.RunAsync("report", "--input", output, "--out", report);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("4 Parquet files, 2 manifests", result.Output);

        var html = await File.ReadAllTextAsync(report);
        // Both manifests merged: the shard's videos, and the run's failures with their reasons.
        Assert.Contains("6 videos in 2 manifests", html);
        Assert.Contains("clip-001", html);
        Assert.Contains("/nowhere/broken-1.mp4: moov atom not found", html);
        Assert.Contains("2 failed", html);
        Assert.DoesNotMatch("<script[^>]+src=|<link[^>]+href=|<img[^>]+src=\"http", html);
        Assert.Contains("without a thumbnail: their videos are not files reachable here", html);

        // Confidence, people per frame, jitter, and one timeline per video.
        await ReportChecks.AssertRendersOfflineAsync(report, expectedPlots: 3 + 4);
    }

    [Fact]
    public async Task ALargeRunsReportStaysWithinItsCaps()
    {
        var output = Path.Combine(directory, "out");
        await SyntheticRun.WriteAsync(output, videos: 150, failed: 30, frames: 30, tracks: 2);
        var report = Path.Combine(directory, "report.html");
        var result = await CliRunner.RunAsync("report", "--input", output, "--out", report, "--max-table-rows", "50", "--max-videos-plotted", "3");
        Assert.True(result.ExitCode == 0, result.Error);
        var html = await File.ReadAllTextAsync(report);
        Assert.Contains("The first 50 of 180 videos", html);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(html, "<h3>").Count);
        // Failed videos lead the table.
        Assert.Equal(30, System.Text.RegularExpressions.Regex.Matches(html, "<tr class=\"failed\">").Count);
        Assert.InRange(new FileInfo(report).Length, 3_000_000, 6_000_000);
    }

    [Fact]
    public async Task BadInputsAreRefusedByNameWithNothingWritten()
    {
        var report = Path.Combine(directory, "report.html");
        var empty = Directory.CreateDirectory(Path.Combine(directory, "empty")).FullName;
        var notParquet = Directory.CreateDirectory(Path.Combine(directory, "text")).FullName;
        File.WriteAllText(Path.Combine(notParquet, "a.parquet"), "hello");
        var missing = Path.Combine(directory, "missing");
        foreach (var (input, message) in new[] { (empty, "no prelabel output here"), (notParquet, "a.parquet: not a Parquet file"), (missing, "missing: no such output folder") })
        {
            var result = await CliRunner.RunAsync("report", "--input", input, "--out", report);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(message, result.Error);
        }

        var output = Path.Combine(directory, "out");
        await SyntheticRun.WriteAsync(output, videos: 1, failed: 0);
        var unwritable = await CliRunner.RunAsync("report", "--input", output, "--out", "/proc/report/report.html");
        Assert.Equal(2, unwritable.ExitCode);
        Assert.Contains("/proc/report: cannot write here", unwritable.Error);
        Assert.Empty(Directory.GetFiles(directory));
    }

    [Fact]
    public async Task TheBrowserCheckCatchesAScriptFromACdnAndAScriptError()
    {
        // The check itself must be able to fail: a page like Plotly.NET's default, which loads plotly.js from its CDN.
        var page = Path.Combine(directory, "cdn.html");
        File.WriteAllText(page, "<html><head><script src=\"https://cdn.plot.ly/plotly-2.28.0.min.js\"></script></head><body><div id=\"p\"></div><script>Plotly.newPlot('p', [{y: [1, 2]}]);</script></body></html>");
        var visit = await Pipeline.Testing.HeadlessChromium.VisitAsync(page, "document.querySelectorAll('.js-plotly-plot').length");
        Assert.Contains("https://cdn.plot.ly/plotly-2.28.0.min.js", visit.Requests);
        Assert.Contains(visit.Errors, e => e.Contains("Plotly is not defined", StringComparison.Ordinal));
        Assert.Equal(0, visit.Result!.GetValue<int>());
    }

    [Fact]
    public async Task AnOutputMixingFilesWithAndWithoutFrameNamesIsReportedByColumnName()
    {
        var output = Path.Combine(directory, "out");
        await SyntheticRun.WriteAsync(output, videos: 2, failed: 0);
        // clip-000 as a version before frame_name wrote it (DuckDB, all columns nullable).
        var current = Path.Combine(output, "clip-000.parquet");
        var earlier = Path.Combine(directory, "clip-000.parquet");
        Pipeline.Testing.ParquetQuery.Long($"COPY (SELECT * EXCLUDE (frame_name) FROM {Pipeline.Testing.ParquetQuery.Read(current)}) TO {Pipeline.Testing.ParquetQuery.Literal(earlier)} (FORMAT parquet)");
        File.Move(earlier, current, overwrite: true);

        var report = Path.Combine(directory, "report.html");
        var result = await CliRunner.RunAsync("report", "--input", output, "--out", report);
        Assert.True(result.ExitCode == 0, result.Error);
        var html = await File.ReadAllTextAsync(report);
        Assert.Contains("<h3>clip-000</h3>", html);
        Assert.Contains("<h3>clip-001</h3>", html);
    }
}
