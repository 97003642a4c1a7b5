using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Graph;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Run;

namespace Pipeline.Cli.Commands;

/// <summary>`prelabel`: the main job — videos in, one Parquet file of pose labels per video out.</summary>
internal static class PrelabelCommand
{
    public const string SampleVideo = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    public static Command Create()
    {
        var defaults = new PrelabelOptions();
        var input = new Option<string[]>("--input", "-i") { Description = $"Video files, directories (searched recursively) or manifests (.txt: a path per line; .jsonl: {{\"uri\", \"id\"}}). Repeatable. Default: the sample video {SampleVideo}.", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Folder for <video-id>.parquet files and run-manifest.json.", Required = true };
        var pattern = new Option<string[]>("--pattern") { Description = $"File-name globs for directories (repeatable; default {string.Join(" ", InputResolver.DefaultPatterns)}).", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string>("--model") { Description = "Pose model.", DefaultValueFactory = _ => defaults.Model };
        model.AcceptOnlyFromAmong(PoseCommand.PoseModels);
        var detectEvery = new Option<int>("--detect-every") { Description = "Run the detector on every k-th frame; the tracker predicts boxes in between.", DefaultValueFactory = _ => defaults.DetectEvery };
        var maxBatch = new Option<int>("--max-batch") { Description = "Windows per pose-model call, at most.", DefaultValueFactory = _ => defaults.MaxPoseBatch };
        var parallel = new Option<int>("--parallel-videos") { Description = "Videos decoded at once.", DefaultValueFactory = _ => defaults.ParallelVideos };
        var devices = new Option<string[]>("--device") { Description = "Device for a pose worker (repeatable: one worker each): cpu, cuda, cuda:N.", Arity = ArgumentArity.ZeroOrMore };
        var force = new Option<bool>("--force") { Description = "Recompute videos already committed in the output folder." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress or per-video log lines; only the summary." };
        var shard = new Option<string?>("--shard") { Description = "Process only shard i of N (i/N, by a hash of the video id). Default: JOB_COMPLETION_INDEX / PIPELINE_SHARDS when set, else everything." };
        var command = new Command("prelabel", "Label videos with human pose: decode, detect, track, estimate keypoints, write Parquet. Re-running skips committed videos.")
        {
            input, output, pattern, model, detectEvery, maxBatch, parallel, devices, force, quiet, shard,
        };
        command.SetAction((r, ct) =>
        {
            var options = new PrelabelOptions
            {
                OutputDirectory = r.GetValue(output)!.FullName,
                Model = r.GetValue(model)!,
                DetectEvery = r.GetValue(detectEvery),
                MaxPoseBatch = r.GetValue(maxBatch),
                ParallelVideos = r.GetValue(parallel),
                Devices = r.GetValue(devices) is { Length: > 0 } d ? d : defaults.Devices,
                Force = r.GetValue(force),
            };
            var inputs = r.GetValue(input) is { Length: > 0 } given ? given : [SampleVideo];
            return RunAsync(options, inputs, r.GetValue(pattern) ?? [], r.GetValue(shard), r.GetValue(quiet), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(PrelabelOptions options, string[] inputs, string[] patterns, string? shardOption, bool quiet, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.TimestampFormat = "HH:mm:ss ";
            })
            .SetMinimumLevel(quiet ? LogLevel.Error : LogLevel.Information));
        var logger = loggers.CreateLogger("prelabel");
        try
        {
            options.Validate();
            var shard = Shard.Resolve(shardOption);
            var all = InputResolver.Resolve(inputs, patterns);
            if (all.Count == 0)
            {
                Console.Error.WriteLine($"prelabel: no videos found in {string.Join(", ", inputs)}");
                return 1;
            }

            var videos = all.Where(shard.Contains).ToList();
            options.ManifestName = PrelabelRunner.ShardManifestName(shard);
            if (shard.Count > 1)
            {
                logger.LogInformation("shard {Shard}: {Videos} of {All} videos", shard, videos.Count, all.Count);
            }

            RunManifest manifest;
            await using (var progress = new ProgressReporter(Console.Error, !Console.IsErrorRedirected, quiet))
            {
                manifest = await new PrelabelRunner(options, logger, progress).RunAsync(videos, inputs, cancellationToken);
            }

            PrintSummary(manifest, options.OutputDirectory, options.ManifestName);
            return manifest.Summary.Failed > 0 ? 3 : 0;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or FormatException or NotSupportedException or InvalidDataException or DllNotFoundException)
        {
            Console.Error.WriteLine($"prelabel: {e.Message}");
            return 1;
        }
    }

    private static void PrintSummary(RunManifest manifest, string output, string manifestName)
    {
        var s = manifest.Summary;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"videos: {s.Videos} ({s.Done} done, {s.Skipped} skipped, {s.Failed} failed)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"people tracked: {s.Tracks}, rows: {s.Rows}, frames: {s.Frames}, {s.FramesPerSecond:F1} frames/s over {s.Seconds:F1} s"));
        foreach (var v in manifest.Videos)
        {
            Console.WriteLine(v.Status == "failed" ? $"  failed  {v.Uri}: {v.Reason}" : $"  {v.Status,-7} {v.Output}");
        }

        Console.WriteLine($"manifest: {Path.Combine(Path.GetFullPath(output), manifestName)}");
    }
}
