using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Pipeline.Cli.Report;
using Pipeline.Stages.Export;
using Pipeline.Storage;

namespace Pipeline.Cli.Commands;

/// <summary>`report`: one self-contained HTML file about a run's output, for the people who run the jobs.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "A prelabel output: its folder, or az://container/prefix (downloaded through the storage client).", Required = true };
        var output = new Option<string>("--out") { Description = "The HTML file to write (scripts and styles inside it: it opens offline).", Required = true };
        var defaults = new ReportOptions();
        var tableRows = new Option<int>("--max-table-rows") { Description = $"Rows of the per-video table (failed videos first; default {defaults.MaxTableRows}).", DefaultValueFactory = _ => defaults.MaxTableRows };
        var videosPlotted = new Option<int>("--max-videos-plotted") { Description = $"Videos with their own plots, the lowest mean keypoint score first (default {defaults.MaxVideosPlotted}).", DefaultValueFactory = _ => defaults.MaxVideosPlotted };
        var weakTracks = new Option<int>("--weak-tracks") { Description = $"Lowest-confidence tracks shown with thumbnails (default {defaults.WeakTracks}).", DefaultValueFactory = _ => defaults.WeakTracks };
        var storage = new StorageFlags();
        var command = new Command("report", "Write an HTML report of a run: per-video table with failures, keypoint confidence, people per frame, track timelines, jitter, lowest-confidence tracks.")
        {
            input, output, tableRows, videosPlotted, weakTracks,
        };
        foreach (var option in storage.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((r, ct) => RunAsync(
            r.GetValue(input)!,
            r.GetValue(output)!,
            new ReportOptions { MaxTableRows = r.GetValue(tableRows), MaxVideosPlotted = r.GetValue(videosPlotted), WeakTracks = r.GetValue(weakTracks) },
            () => storage.Resolve(r),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(string input, string output, ReportOptions options, Func<Graph.Remote.RemoteStorage?> resolveStorage, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
            var clock = Stopwatch.StartNew();
            using var source = await ReportSource.OpenAsync(input, resolveStorage(), cancellationToken);
            OutputFolder.Prepare(Path.GetDirectoryName(Path.GetFullPath(output))!);
            var html = await ReportBuilder.BuildAsync(source, options, cancellationToken);
            var bytes = Encoding.UTF8.GetBytes(html);
            await AtomicFile.WriteAsync(output, stream => stream.WriteAsync(bytes, cancellationToken).AsTask(), cancellationToken);
            Console.WriteLine($"wrote {Path.GetFullPath(output)} ({bytes.Length / 1e6:0.0} MB; {source.ParquetFiles.Count} Parquet files, {source.Manifests.Count} manifests, {clock.Elapsed.TotalSeconds:0.0} s)");
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("report: interrupted; nothing written");
            return RunFlags.InterruptedExitCode;
        }
        catch (StorageException e)
        {
            Console.Error.WriteLine($"report: {e.Message}");
            return RunFlags.ExitCode(e);
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            Console.Error.WriteLine($"report: {input}: the Parquet files cannot be queried ({e.Message})");
            return RunFlags.UsageExitCode;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"report: {e.Message}");
            return RunFlags.UsageExitCode;
        }
    }
}
