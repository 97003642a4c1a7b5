using System.Text.Json;
using Pipeline.Storage;
using Pipeline.Testing;

namespace Pipeline.Graph.Tests;

/// <summary>What a worker does with messages it cannot finish: they go to the poison queue with the reason, never lost, never retried forever.</summary>
public sealed class PoisonQueueTests : IDisposable
{
    private readonly Azurite azurite = new();

    public void Dispose() => azurite.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task MalformedFailingAndTooOftenDeliveredMessagesGoToThePoisonQueueWithTheirReasons()
    {
        var credentials = StorageCredentials.FromConnectionString(azurite.ConnectionString());
        var queue = new AzureMessageQueue(credentials, "work");
        var poison = new AzureMessageQueue(credentials, "work-poison");
        await queue.CreateIfNotExistsAsync();
        // Three workers took this message and died (received, never deleted): each lease lapsed.
        await queue.SendAsync("{\"id\": \"crashy-1\", \"uri\": \"az://archive/none/crashy.mp4\"}");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var taken = await queue.ReceiveAsync(TimeSpan.FromSeconds(1));
            Assert.Equal(attempt, taken!.DequeueCount);
            await Task.Delay(1500);
        }

        await queue.SendAsync("not json");
        await queue.SendAsync("{\"id\": \"missing-1\", \"uri\": \"az://archive/none/missing.mp4\"}");

        var environment = new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString() };
        var worker = await PipelineProcess.RunAsync(PipelineProcess.Info(["worker", "--queue", "work", "--output", "az://labels/poison", "--model", "movenet-lightning", "--max-attempts", "3", "--poll-interval", "1", "--visibility-timeout", "5"], environment));
        Assert.True(worker.ExitCode == 3, worker.Error + worker.Output); // a video failed
        Assert.Equal(0, await queue.ApproximateCountAsync());

        var reasons = new Dictionary<string, string>();
        for (QueueMessage? m; (m = await poison.ReceiveAsync(TimeSpan.FromMinutes(1))) is not null;)
        {
            using var record = JsonDocument.Parse(m.Text);
            reasons[record.RootElement.GetProperty("message").GetString()!] = record.RootElement.GetProperty("reason").GetString()!;
        }

        Assert.Equal(3, reasons.Count);
        Assert.StartsWith("unreadable message", reasons["not json"]);
        Assert.Contains("az://archive/none/missing.mp4: blob not found", reasons.Single(r => r.Key.Contains("missing", StringComparison.Ordinal)).Value);
        Assert.Contains("delivered 4 times without finishing (max attempts 3)", reasons.Single(r => r.Key.Contains("crashy", StringComparison.Ordinal)).Value);
    }
}
