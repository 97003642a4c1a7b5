using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Graph;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Remote;
using Pipeline.Graph.Run;

namespace Pipeline.Cli.Commands;

/// <summary>`prelabel`: the main job — videos in, one Parquet file of pose labels per video out.</summary>
internal static class PrelabelCommand
{
    public const string SampleVideo = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    public static Command Create()
    {
        var flags = new RunFlags();
        var input = new Option<string[]>("--input", "-i") { Description = $"Video files, directories (searched recursively), blob prefixes (az://container/prefix) or manifests (.txt: a path or URI per line; .jsonl: {{\"uri\", \"id\"}}). Repeatable. Default: the sample video {SampleVideo}.", Arity = ArgumentArity.ZeroOrMore };
        var pattern = new Option<string[]>("--pattern") { Description = $"File-name globs for directories and blob prefixes (repeatable; default {string.Join(" ", InputResolver.DefaultPatterns)}).", Arity = ArgumentArity.ZeroOrMore };
        var shard = new Option<string?>("--shard") { Description = "Process only shard i of N (i/N, by a hash of the video id). Default: JOB_COMPLETION_INDEX / PIPELINE_SHARDS when set, else everything." };
        var command = new Command("prelabel", "Label videos with human pose: decode, detect, track, estimate keypoints, write Parquet. Re-running skips committed videos.")
        {
            input, pattern, shard,
        };
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((r, ct) =>
        {
            var inputs = r.GetValue(input) is { Length: > 0 } given ? given : [SampleVideo];
            return RunAsync(flags.Bind(r), inputs, r.GetValue(pattern) ?? [], r.GetValue(shard), r.GetValue(flags.Quiet), () => flags.Storage.Resolve(r), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(PrelabelOptions options, string[] inputs, string[] patterns, string? shardOption, bool quiet, Func<RemoteStorage?> resolveStorage, CancellationToken cancellationToken)
    {
        using var loggers = RunFlags.Loggers(quiet);
        var logger = loggers.CreateLogger("prelabel");
        return await RunFlags.ExitCodeOfAsync("prelabel", "interrupted; committed videos are kept: run the same command again to resume", async () =>
        {
            options.Validate();
            var shard = Shard.Resolve(shardOption);
            var storage = resolveStorage();
            var all = await InputResolver.ResolveAsync(inputs, patterns, storage, cancellationToken);
            if (all.Count == 0)
            {
                Console.Error.WriteLine($"prelabel: no videos found in {string.Join(", ", inputs)}");
                return RunFlags.UsageExitCode;
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
                manifest = await new PrelabelRunner(options, logger, progress, storage).RunAsync(videos, inputs, cancellationToken);
            }

            PrintSummary(manifest, options.ManifestName);
            return manifest.Summary.Failed > 0 ? 3 : 0;
        }, cancellationToken);
    }

    public static void PrintSummary(RunManifest manifest, string manifestName)
    {
        var s = manifest.Summary;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"videos: {s.Videos} ({s.Done} done, {s.Skipped} skipped, {s.Failed} failed)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"people tracked: {s.Tracks}, rows: {s.Rows}, frames: {s.Frames}, {s.FramesPerSecond:F1} frames/s over {s.Seconds:F1} s"));
        foreach (var v in manifest.Videos)
        {
            Console.WriteLine(v.Status == "failed" ? $"  failed  {v.Uri}: {v.Reason}" : $"  {v.Status,-7} {v.Output}");
        }

        var output = manifest.Configuration["output"]?.ToString() ?? "";
        Console.WriteLine($"manifest: {(BlobUri.IsRemote(output) ? $"{output.TrimEnd('/')}/{manifestName}" : Path.Combine(output, manifestName))}");
    }
}
