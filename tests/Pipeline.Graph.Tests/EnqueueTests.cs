using System.Text.Json;
using Pipeline.Storage;

namespace Pipeline.Graph.Tests;

/// <summary>`enqueue --skip-committed`: a nightly re-enqueue of a whole archive only queues the videos not labelled yet.</summary>
public sealed class EnqueueTests : IDisposable
{
    private readonly StorageTestBed bed = new();

    public void Dispose() => bed.Dispose();

    private static async Task<List<string>> DrainIdsAsync(AzureMessageQueue queue)
    {
        var ids = new List<string>();
        while (await queue.ReceiveAsync(TimeSpan.FromMinutes(1)) is { } message)
        {
            ids.Add(JsonDocument.Parse(message.Text).RootElement.GetProperty("id").GetString()!);
        }

        return ids;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task VideosCommittedUnderTheOutputAreNotEnqueued()
    {
        var credentials = bed.Credentials;
        var blobs = new AzureBlobStore(credentials);
        await StorageTestBed.UploadAsync(blobs, "archive", "in/", new[] { "done.mp4", "new1.mp4", "new2.mp4" }.Select(name => bed.Clips.Cut(name, 5, 0.5)));

        // Label one of the three for real: its Parquet blob is what enqueue must find.
        var labelled = await PipelineProcess.RunAsync(PipelineProcess.Info(["prelabel", "--input", "az://archive/in/", "--pattern", "done*", "--output", "az://labels/out", "--model", "movenet-lightning", "--quiet"], bed.Environment()));
        Assert.True(labelled.ExitCode == 0, labelled.Error + labelled.Output);
        var committed = new List<string>();
        await foreach (var blob in blobs.ListAsync("labels", "out/"))
        {
            if (blob.Name.EndsWith(".parquet", StringComparison.Ordinal))
            {
                committed.Add(Path.GetFileNameWithoutExtension(blob.Name));
            }
        }

        var doneId = Assert.Single(committed);

        var enqueue = await PipelineProcess.RunAsync(PipelineProcess.Info(["enqueue", "--input", "az://archive/in/", "--queue", "nightly", "--skip-committed", "az://labels/out"], bed.Environment()));
        Assert.True(enqueue.ExitCode == 0, enqueue.Error);
        Assert.Contains("enqueued 2 videos", enqueue.Output);
        Assert.Contains("1 already committed in az://labels/out", enqueue.Output);
        var nightly = new AzureMessageQueue(credentials, "nightly");
        var ids = await DrainIdsAsync(nightly);
        Assert.Equal(2, ids.Count);
        Assert.DoesNotContain(doneId, ids);

        // An output that does not exist yet (container or folder) has nothing committed: all three go.
        foreach (var (output, queueName) in new[] { ("az://missing/out", "fresh"), (Path.Combine(bed.Work, "no-such-folder"), "local") })
        {
            var all = await PipelineProcess.RunAsync(PipelineProcess.Info(["enqueue", "--input", "az://archive/in/", "--queue", queueName, "--skip-committed", output], bed.Environment()));
            Assert.True(all.ExitCode == 0, all.Error);
            Assert.Contains("enqueued 3 videos", all.Output);
            var queue = new AzureMessageQueue(credentials, queueName);
            Assert.Equal(3, (await DrainIdsAsync(queue)).Count);
        }

        // Checking did not create the container (listing it is still refused as not found).
        var listing = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            await foreach (var _ in blobs.ListAsync("missing", ""))
            {
            }
        });
        Assert.Equal(System.Net.HttpStatusCode.NotFound, listing.Status);
    }
}
