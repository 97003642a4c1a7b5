using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pipeline.Graph.Remote;
using Pipeline.Stages.Sink;
using Pipeline.Storage;

namespace Pipeline.Graph.Run;

/// <summary>
/// Runs the prelabel job: skips videos already committed in the output (unless forced), runs the
/// graph over the rest, commits each video's Parquet file to the output, keeps the run manifest
/// current after every video, and returns the final manifest. Deleting nothing but its own stale
/// temporary files, it can be killed at any point and started again. One runner makes one run.
/// </summary>
public sealed class PrelabelRunner(PrelabelOptions options, ILogger logger, ProgressReporter? progress = null, RemoteStorage? storage = null)
{
    public const string ManifestName = "run-manifest.json";
    private static readonly TimeSpan RemoteManifestInterval = TimeSpan.FromSeconds(5);
    private readonly Lock gate = new();
    private readonly Dictionary<string, RunManifest.VideoEntry> entries = [];
    private RunManifest manifest = new();
    private IResultStore results = null!;
    private IReadOnlyDictionary<string, string> committedAtStart = new Dictionary<string, string>();
    private string manifestPath = "";
    private string workDirectory = "";
    private bool ownsWorkDirectory;
    private DateTimeOffset manifestPublished = DateTimeOffset.MinValue;

    /// <summary>The manifest file of one shard, so shards can share an output folder.</summary>
    public static string ShardManifestName(Inputs.Shard shard) => shard.Count == 1 ? ManifestName : $"run-manifest.shard-{shard.Index}-of-{shard.Count}.json";

    /// <summary>Runs a fixed list of videos.</summary>
    public Task<RunManifest> RunAsync(IReadOnlyList<VideoTask> videos, IReadOnlyList<string> inputs, CancellationToken cancellationToken = default) =>
        RunCoreAsync(inputs, async () =>
        {
            var committed = committedAtStart;
            var toRun = new List<VideoTask>();
            foreach (var video in videos)
            {
                var entry = AddEntry(video);
                if (!options.Force && committed.TryGetValue(video.VideoId, out var location))
                {
                    MarkSkipped(entry, location, await CountRowsAsync(location, cancellationToken));
                }
                else
                {
                    toRun.Add(video);
                }
            }

            WriteManifest();
            progress?.SetTotal(toRun.Count);
            if (toRun.Count > 0)
            {
                await RunGraphAsync(AsAsync(toRun), null, cancellationToken);
            }
        }, cancellationToken);

    /// <summary>
    /// Runs videos as <paramref name="videos"/> yields them (a work queue): each is checked against
    /// the output when it arrives, and <paramref name="recorded"/> is called once it is committed,
    /// failed or skipped — the point where a queue message may be deleted.
    /// </summary>
    public Task<RunManifest> RunAsync(IAsyncEnumerable<VideoTask> videos, IReadOnlyList<string> inputs, Func<VideoOutcome, Task> recorded, CancellationToken cancellationToken = default) =>
        RunCoreAsync(inputs, () =>
        {
            WriteManifest();
            return RunGraphAsync(UncommittedAsync(videos, recorded, cancellationToken), recorded, cancellationToken);
        }, cancellationToken);

    // Begin, run, finish; an interrupted run leaves its manifest marked, and the scratch folder always goes.
    private async Task<RunManifest> RunCoreAsync(IReadOnlyList<string> inputs, Func<Task> run, CancellationToken cancellationToken)
    {
        await BeginAsync(inputs, cancellationToken);
        try
        {
            await run();
            return await FinishAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await MarkInterruptedAsync();
            throw;
        }
        finally
        {
            RemoveWorkDirectory();
        }
    }

    private Task RunGraphAsync(IAsyncEnumerable<VideoTask> videos, Func<VideoOutcome, Task>? recorded, CancellationToken cancellationToken) =>
        PrelabelEngine.RunAsync(videos, options, manifest.RunId, results.SinkDirectory, storage, Path.Combine(workDirectory, "inputs"), o => RecordAsync(o, recorded, cancellationToken), cancellationToken);

    private async IAsyncEnumerable<VideoTask> UncommittedAsync(IAsyncEnumerable<VideoTask> videos, Func<VideoOutcome, Task> recorded, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var video in videos.WithCancellation(cancellationToken))
        {
            RunManifest.VideoEntry entry;
            lock (gate)
            {
                entry = AddEntry(video);
            }

            if (!options.Force && await results.FindCommittedAsync(video.VideoId, cancellationToken) is { } location)
            {
                var rows = await CountRowsAsync(location, cancellationToken);
                lock (gate)
                {
                    MarkSkipped(entry, location, rows);
                    WriteManifest();
                }

                logger.LogInformation("{Video}: already committed at {Output}, skipped", video.Uri, location);
                await recorded(new VideoOutcome(video, "skipped", "already committed", 0, 0, 0, entry.Rows, 0, location));
                continue;
            }

            yield return video;
        }
    }

    private static async IAsyncEnumerable<VideoTask> AsAsync(IEnumerable<VideoTask> videos)
    {
        foreach (var video in videos)
        {
            yield return video;
        }

        await Task.CompletedTask;
    }

    private async Task BeginAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        if (manifestPath.Length > 0)
        {
            throw new InvalidOperationException("a PrelabelRunner makes one run; create another for the next");
        }

        options.Validate();
        var runId = $"{DateTimeOffset.UtcNow:yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..8]}";
        ownsWorkDirectory = string.IsNullOrEmpty(options.WorkDirectory);
        workDirectory = ownsWorkDirectory ? Directory.CreateTempSubdirectory($"pipeline-{runId}-").FullName : Path.GetFullPath(options.WorkDirectory!);
        results = ResultStores.Open(options.Output, storage, Path.Combine(workDirectory, "results"));
        await results.PrepareAsync(cancellationToken);
        RemoveStaleTemporaryFiles();
        committedAtStart = await results.ListCommittedAsync(cancellationToken);
        if (!options.Force && committedAtStart.Count > 0)
        {
            RuntimeCompatibility.Check(await results.ReadManifestsAsync(cancellationToken), committedAtStart.Keys, Pipeline.Torch.TorchRuntime.LibTorchVersion, results.Location);
        }

        manifestPath = Path.Combine(results.SinkDirectory, options.ManifestName);
        manifest = new RunManifest
        {
            RunId = runId,
            Started = DateTimeOffset.UtcNow,
            Inputs = inputs.Select(BlobUri.Redact).ToList(),
            Versions = new()
            {
                ["pipeline"] = typeof(PrelabelRunner).Assembly.GetName().Version?.ToString() ?? "0",
                ["libtorch"] = Pipeline.Torch.TorchRuntime.LibTorchVersion,
                ["torchsharp"] = Pipeline.Torch.TorchRuntime.TorchSharpVersion,
                ["allocator"] = Pipeline.Torch.MallocTuning.Describe(),
                ["parquet.net"] = PackageVersion(typeof(Parquet.ParquetWriter)),
                ["dotnet"] = Environment.Version.ToString(),
                ["ffmpeg"] = Pipeline.Stages.Decode.FfmpegProcess.Version(),
            },
            Configuration = new()
            {
                ["output"] = results.Location,
                ["model"] = options.Model,
                ["detect_every"] = options.DetectEvery,
                ["frame_rate"] = options.FrameRate,
                ["detect_batch"] = options.DetectBatch,
                ["max_pose_batch"] = options.MaxPoseBatch,
                ["parallel_videos"] = options.ParallelVideos,
                ["devices"] = options.Devices,
                ["force"] = options.Force,
            },
        };
    }

    private RunManifest.VideoEntry AddEntry(VideoTask video)
    {
        var entry = new RunManifest.VideoEntry { Id = video.VideoId, Uri = video.Uri };
        entries[video.VideoId] = entry;
        manifest.Videos.Add(entry);
        return entry;
    }

    private static void MarkSkipped(RunManifest.VideoEntry entry, string location, long rows)
    {
        entry.Status = "skipped";
        entry.Reason = "already committed";
        entry.Output = location;
        entry.Rows = rows;
    }

    // Called by the sink, one video at a time: commit to the output, then record, then tell the caller.
    private async Task RecordAsync(VideoOutcome outcome, Func<VideoOutcome, Task>? recorded, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope("video {VideoId}", outcome.Video.VideoId);
        if (outcome.Status == "done")
        {
            try
            {
                outcome = outcome with { Output = await results.CommitAsync(outcome.Output!, outcome.Video.VideoId, cancellationToken) };
            }
            catch (StorageException e) when (e.Status is not (System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden))
            {
                outcome = outcome with { Status = "failed", Reason = $"commit to {results.Location} failed: {e.Message}", Rows = 0, Output = null };
            }
        }

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
            WriteManifest();
        }

        await PublishManifestAsync(force: false, cancellationToken);
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

        if (recorded is not null)
        {
            await recorded(outcome);
        }
    }

    private async Task<RunManifest> FinishAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
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
            WriteManifest();
        }

        await PublishManifestAsync(force: true, cancellationToken);
        return manifest;
    }

    private void WriteManifest() => manifest.Write(manifestPath);

    // Stopped by Ctrl+C or SIGTERM: the manifest says so (briefly trying to publish it too); videos
    // not recorded stay "pending", and a re-run picks them up.
    private async Task MarkInterruptedAsync()
    {
        lock (gate)
        {
            manifest.Status = "interrupted";
            manifest.Finished = DateTimeOffset.UtcNow;
            WriteManifest();
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await results.PublishManifestAsync(manifestPath, grace.Token);
        }
        catch (Exception e) when (e is StorageException or OperationCanceledException)
        {
            logger.LogWarning("could not publish the interrupted run's manifest: {Error}", e.Message);
        }
    }

    // Remote manifests are uploaded at most every few seconds (and at the end): they grow with the run.
    private async Task PublishManifestAsync(bool force, CancellationToken cancellationToken)
    {
        if (force || DateTimeOffset.UtcNow - manifestPublished >= RemoteManifestInterval)
        {
            manifestPublished = DateTimeOffset.UtcNow;
            await results.PublishManifestAsync(manifestPath, cancellationToken);
        }
    }

    // The NuGet version (assembly versions of some packages stay at x.0.0).
    private static string PackageVersion(Type type) =>
        type.Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false) is [System.Reflection.AssemblyInformationalVersionAttribute a, ..]
            ? a.InformationalVersion.Split('+')[0]
            : type.Assembly.GetName().Version?.ToString(3) ?? "unknown";

    // Local files are counted from their footers; blobs are not downloaded for it (0).
    private static async Task<long> CountRowsAsync(string location, CancellationToken cancellationToken) =>
        File.Exists(location) ? await ParquetVideoReader.CountRowsAsync(location, cancellationToken) : 0;

    // Temporary files of a run that was killed: never visible under a final name, removed on restart.
    private void RemoveStaleTemporaryFiles()
    {
        foreach (var file in Directory.EnumerateFiles(results.SinkDirectory, ".*.parquet.*.tmp"))
        {
            File.Delete(file);
        }

        var manifestTemporary = Path.Combine(results.SinkDirectory, options.ManifestName + ".tmp");
        if (File.Exists(manifestTemporary))
        {
            File.Delete(manifestTemporary);
        }
    }

    private void RemoveWorkDirectory()
    {
        if (ownsWorkDirectory && Directory.Exists(workDirectory))
        {
            Directory.Delete(workDirectory, recursive: true);
        }
    }
}
