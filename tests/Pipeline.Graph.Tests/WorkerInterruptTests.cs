using System.Diagnostics;
using Pipeline.Storage;

namespace Pipeline.Graph.Tests;

/// <summary>A worker told to stop (SIGTERM: a pod evicted or scaled down) hands its unfinished video back at once.</summary>
public sealed class WorkerInterruptTests : IDisposable
{
    private readonly StorageTestBed bed = new();

    public void Dispose() => bed.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task SigtermReturnsTheUnfinishedVideoToTheQueueAtOnce()
    {
        var credentials = bed.Credentials;
        var blobs = new AzureBlobStore(credentials);
        await StorageTestBed.UploadAsync(blobs, "archive", "in/", [bed.Clips.Cut("long.mp4", 10, 20)]);
        var enqueue = await PipelineProcess.RunAsync(PipelineProcess.Info(["enqueue", "--input", "az://archive/in/", "--queue", "jobs"], bed.Environment()));
        Assert.True(enqueue.ExitCode == 0, enqueue.Error);

        // A long lease: without the hand-back, the video would stay hidden for two minutes.
        var info = PipelineProcess.Info(["worker", "--queue", "jobs", "--output", "az://labels/run", "--model", "movenet-lightning", "--visibility-timeout", "120"], bed.Environment());
        using var running = PipelineProcess.Start(info);
        var worker = running.Process;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!running.Said("received") && !worker.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(1000); // mid-video: 200 frames take far longer
        using (var term = Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await worker.WaitForExitAsync(timeout.Token);
        Assert.True(worker.ExitCode == 130, $"exit code {worker.ExitCode}: {running.Log}");
        Assert.True(running.Said("returned message"), running.Log);

        var queue = new AzureMessageQueue(credentials, "jobs");
        var message = await queue.ReceiveAsync(TimeSpan.FromMinutes(1));
        Assert.NotNull(message); // visible now, not in two minutes
        Assert.Contains("az://archive/in/long.mp4", message.Text);
        Assert.False(await blobs.ExistsAsync("labels", $"run/{System.Text.Json.JsonDocument.Parse(message.Text).RootElement.GetProperty("id").GetString()}.parquet"));

        // The worker's manifest says it was interrupted, with the video still pending.
        var folder = await bed.DownloadAsync(blobs, "labels", "run/run-manifest.worker-", "manifest");
        var manifest = Run.RunManifest.Read(Assert.Single(Directory.GetFiles(folder)));
        Assert.Equal("interrupted", manifest.Status);
        Assert.Equal("pending", Assert.Single(manifest.Videos).Status);
    }
}
