using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.DuckDb;
using Pipeline.Graph.Stages;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Track;
using static Pipeline.Torch.torch;

namespace Pipeline.Graph.Run;

/// <summary>
/// Runs the prelabel job: skips videos already committed in the output folder (unless forced),
/// runs the graph over the rest, keeps run-manifest.json current after every video, and returns
/// the final manifest. Deleting nothing but its own stale temporary files, it can be killed at any
/// point and started again.
/// </summary>
public sealed class PrelabelRunner(PrelabelOptions options, ILogger logger, ProgressReporter? progress = null)
{
    public const string ManifestName = "run-manifest.json";

    /// <summary>The manifest file of one shard, so shards can share an output folder.</summary>
    public static string ShardManifestName(Inputs.Shard shard) => shard.Count == 1 ? ManifestName : $"run-manifest.shard-{shard.Index}-of-{shard.Count}.json";

    public async Task<RunManifest> RunAsync(IReadOnlyList<VideoTask> videos, IReadOnlyList<string> inputs, CancellationToken cancellationToken = default)
    {
        options.Validate();
        Directory.CreateDirectory(options.OutputDirectory);
        RemoveStaleTemporaryFiles();
        var manifestPath = Path.Combine(options.OutputDirectory, options.ManifestName);
        var manifest = new RunManifest
        {
            RunId = $"{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..8]}",
            Started = DateTimeOffset.UtcNow,
            Inputs = inputs.ToList(),
            Versions = new()
            {
                ["pipeline"] = typeof(PrelabelRunner).Assembly.GetName().Version?.ToString() ?? "0",
                ["libtorch"] = libtorch_version(),
                ["duckdb"] = DuckDbConnection.LibraryVersion,
                ["dotnet"] = Environment.Version.ToString(),
                ["ffmpeg"] = Pipeline.Stages.Decode.FfmpegProcess.Version(),
            },
            Configuration = new()
            {
                ["output"] = Path.GetFullPath(options.OutputDirectory),
                ["model"] = options.Model,
                ["detect_every"] = options.DetectEvery,
                ["detect_batch"] = options.DetectBatch,
                ["max_pose_batch"] = options.MaxPoseBatch,
                ["parallel_videos"] = options.ParallelVideos,
                ["devices"] = options.Devices,
                ["force"] = options.Force,
            },
            Videos = videos.Select(v => new RunManifest.VideoEntry { Id = v.VideoId, Uri = v.Uri }).ToList(),
        };
        var entries = manifest.Videos.ToDictionary(v => v.Id);
        var toRun = new List<VideoTask>();
        foreach (var video in videos)
        {
            var output = SinkStage.OutputPath(options.OutputDirectory, video.VideoId);
            if (!options.Force && File.Exists(output))
            {
                var entry = entries[video.VideoId];
                entry.Status = "skipped";
                entry.Reason = "already committed";
                entry.Output = output;
                entry.Rows = CountRows(output);
            }
            else
            {
                toRun.Add(video);
            }
        }

        var gate = new object();
        manifest.Write(manifestPath);
        progress?.SetTotal(toRun.Count);
        if (toRun.Count > 0)
        {
            await RunGraphAsync(toRun, manifest.RunId, outcome =>
            {
                using var scope = logger.BeginScope("video {VideoId}", outcome.Video.VideoId);
                lock (gate)
                {
                    var entry = entries[outcome.Video.VideoId];
                    entry.Status = outcome.Status;
                    entry.Reason = outcome.Reason;
                    entry.Frames = outcome.Frames;
                    entry.UndecodableFrames = outcome.UndecodableFrames;
                    entry.Tracks = outcome.Tracks;
                    entry.Rows = outcome.Rows;
                    entry.Seconds = Math.Round(outcome.Seconds, 3);
                    entry.Output = outcome.Output;
                    manifest.Write(manifestPath);
                }

                PipelineMetrics.VideoFinished(outcome.Status, outcome.Rows);
                progress?.VideoFinished();
                if (outcome.Status == "done")
                {
                    logger.LogInformation("{Video}: {Rows} rows, {Tracks} tracks, {Frames} frames -> {Output}", outcome.Video.Uri, outcome.Rows, outcome.Tracks, outcome.Frames, outcome.Output);
                }
                else
                {
                    logger.LogWarning("{Video}: failed: {Reason}", outcome.Video.Uri, outcome.Reason);
                }
            }, cancellationToken);
        }

        manifest.Finished = DateTimeOffset.UtcNow;
        manifest.Status = "completed";
        var s = manifest.Summary;
        s.Videos = manifest.Videos.Count;
        s.Done = manifest.Videos.Count(v => v.Status == "done");
        s.Failed = manifest.Videos.Count(v => v.Status == "failed");
        s.Skipped = manifest.Videos.Count(v => v.Status == "skipped");
        s.Frames = manifest.Videos.Sum(v => v.Frames);
        s.Rows = manifest.Videos.Sum(v => v.Rows);
        s.Tracks = manifest.Videos.Sum(v => v.Tracks);
        s.Seconds = Math.Round((manifest.Finished.Value - manifest.Started).TotalSeconds, 3);
        s.FramesPerSecond = s.Seconds > 0 ? Math.Round(s.Frames / s.Seconds, 2) : 0;
        manifest.Write(manifestPath);
        return manifest;
    }

    private async Task RunGraphAsync(List<VideoTask> videos, string runId, Action<VideoOutcome> report, CancellationToken cancellationToken)
    {
        var store = ModelStore.Default;
        var devices = options.Devices.Select(device).ToList();
        using var detector = new NanoDetDetector(store.GraphModel("nanodet"), device: devices[0]);
        var models = devices.Select(d => (IPoseModel)new MoveNetPoseModel(store.GraphModel(options.Model), d)).ToList();
        try
        {
            var first = models[0];
            var sink = new SinkStage(options.OutputDirectory, first.Name, first.WeightsHash, runId, report);
            var graph = new PrelabelGraph(
                new DecodeStage(),
                new DetectStage(detector, options),
                new TrackStage(new ByteTrackOptions()),
                new WindowStage(new WindowOptions { Radius = first.Radius, CropSize = first.InputSize }),
                new BatchStage(options.MaxPoseBatch),
                models.Select(m => new PoseWorker(m)).ToList(),
                sink,
                options,
                cancellationToken);
            foreach (var video in videos)
            {
                await graph.SendAsync(video, cancellationToken);
            }

            graph.Complete();
            await graph.Completion;
        }
        finally
        {
            foreach (var m in models)
            {
                m.Dispose();
            }
        }
    }

    private static long CountRows(string parquet)
    {
        using var db = new DuckDbConnection();
        return long.Parse(db.Scalar($"SELECT count(*) FROM read_parquet({DuckDbConnection.Literal(parquet)})") ?? "0", CultureInfo.InvariantCulture);
    }

    // Temporary files of a run that was killed: never visible under a final name, removed on restart.
    private void RemoveStaleTemporaryFiles()
    {
        foreach (var file in Directory.EnumerateFiles(options.OutputDirectory, ".*.parquet.*.tmp"))
        {
            File.Delete(file);
        }

        var manifestTemporary = Path.Combine(options.OutputDirectory, options.ManifestName + ".tmp");
        if (File.Exists(manifestTemporary))
        {
            File.Delete(manifestTemporary);
        }
    }
}
