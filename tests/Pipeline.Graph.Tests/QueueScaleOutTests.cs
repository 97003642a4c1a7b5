using Pipeline.Storage;
using static Pipeline.Testing.ParquetQuery;

namespace Pipeline.Graph.Tests;

/// <summary>
/// Four worker processes on one queue over a dozen clips in blob storage, one of them killed with
/// SIGKILL mid-video: every video is committed exactly once, with the rows of a single-process run.
/// </summary>
public sealed class QueueScaleOutTests : IDisposable
{
    private readonly StorageTestBed bed = new();

    public void Dispose() => bed.Dispose();

    private Dictionary<string, string> Environment() => new(bed.Environment())
    {
        ["PIPELINE_TORCH_THREADS"] = "1", // four processes share two cores
    };

    private PipelineProcess.Running StartWorker() =>
        PipelineProcess.Start(PipelineProcess.Info(["worker", "--queue", "clips", "--output", "az://labels/queue", "--model", "movenet-lightning", "--visibility-timeout", "6", "--poll-interval", "1", "--parallel-videos", "1"], Environment()));

    [Fact]
    [Trait("Category", "Slow")]
    public async Task FourWorkersOneKilledCommitEveryVideoOnceWithTheRowsOfASingleRun()
    {
        var credentials = bed.Credentials;
        var blobs = new AzureBlobStore(credentials);
        await StorageTestBed.UploadAsync(blobs, "archive", "clips/", Enumerable.Range(0, 12).Select(i => bed.Clips.Cut($"clip{i:D2}.mp4", 3 + (i * 6), 1)));

        var single = await PipelineProcess.RunAsync(PipelineProcess.Info(["prelabel", "--input", "az://archive/clips/", "--output", "az://labels/single", "--model", "movenet-lightning", "--quiet"], Environment()));
        Assert.True(single.ExitCode == 0, single.Error + single.Output);
        var enqueue = await PipelineProcess.RunAsync(PipelineProcess.Info(["enqueue", "--input", "az://archive/clips/", "--queue", "clips"], Environment()));
        Assert.True(enqueue.ExitCode == 0, enqueue.Error);
        Assert.Contains("enqueued 12 videos", enqueue.Output);

        var workers = Enumerable.Range(0, 4).Select(_ => StartWorker()).ToList();
        PipelineProcess.Running? victim = null;
        try
        {
            // Kill the first worker to take a video, a moment after it took it: mid-video, lease held.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            PipelineProcess.Running? taker = null;
            while (taker is null && DateTime.UtcNow < deadline)
            {
                taker = workers.FirstOrDefault(w => w.Said("received"));
                await Task.Delay(20);
            }

            victim = taker ?? throw new TimeoutException("no worker took a video within 3 minutes");
            await Task.Delay(300);
            Assert.False(victim.Process.HasExited, victim.Log);
            victim.Process.Kill(); // SIGKILL
            await victim.Process.WaitForExitAsync();

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            foreach (var survivor in workers.Where(w => w != victim))
            {
                await survivor.Process.WaitForExitAsync(timeout.Token);
                Assert.True(survivor.Process.ExitCode == 0, survivor.Log);
            }
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Dispose();
            }
        }

        // The killed worker's video came back to the queue and another worker took it.
        var log = workers.Where(w => w != victim).SelectMany(w => w.Lines).ToList();
        Assert.Contains(log, l => l.Contains("attempt 2", StringComparison.Ordinal));
        var queue = new AzureMessageQueue(credentials, "clips");
        var poison = new AzureMessageQueue(credentials, "clips-poison");
        Assert.Equal(0, await queue.ApproximateCountAsync());
        Assert.Equal(0, await poison.ApproximateCountAsync());

        // Exactly the files of the single run, each with the same rows.
        var expected = await bed.DownloadAsync(blobs, "labels", "single/", "single", ".parquet");
        var actual = await bed.DownloadAsync(blobs, "labels", "queue/", "queue", ".parquet");
        AssertSameFiles(expected, actual, 12);
        var manifests = new List<string>();
        await foreach (var blob in blobs.ListAsync("labels", "queue/run-manifest.worker-"))
        {
            manifests.Add(blob.Name);
        }

        Assert.InRange(manifests.Count, 3, 4); // the survivors' (and the killed worker's, had it finished a video)
    }
}
