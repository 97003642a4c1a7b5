using Pipeline.Testing;

namespace Pipeline.Storage.Tests;

/// <summary>The queue client against Azurite: leases, renewals, redelivery, counts; and SAS tokens for both services.</summary>
public sealed class QueueClientTests : IClassFixture<AzuriteFixture>
{
    private readonly Azurite azurite;

    public QueueClientTests(AzuriteFixture fixture) => azurite = fixture.Azurite;

    private AzureQueueClient Queue(string name, StorageCredentials? credentials = null) =>
        new(credentials ?? StorageCredentials.FromConnectionString(azurite.ConnectionString()), name, new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(200) });

    [Fact]
    public async Task LeasesHideMessagesUntilTheyExpireAndOnlyTheCurrentReceiptDeletes()
    {
        using var queue = Queue("leases");
        await queue.CreateIfNotExistsAsync();
        await queue.CreateIfNotExistsAsync(); // idempotent
        await queue.SendAsync("{\"uri\": \"az://videos/ä b.mp4\"}");
        await queue.SendAsync("second");

        var first = await queue.ReceiveAsync(TimeSpan.FromSeconds(2));
        Assert.NotNull(first);
        Assert.Equal("{\"uri\": \"az://videos/ä b.mp4\"}", first.Text);
        Assert.Equal(1, first.DequeueCount);
        var second = await queue.ReceiveAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("second", second!.Text);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(30))); // both are leased
        Assert.Equal(2, await queue.ApproximateCountAsync()); // invisible messages still count

        // An expired lease makes the message visible again, counted as a second delivery.
        await Task.Delay(3000);
        var again = await queue.ReceiveAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(first.Id, again!.Id);
        Assert.Equal(2, again.DequeueCount);
        Assert.False(await queue.DeleteAsync(first)); // the old receipt lost the lease

        // Renewing keeps it hidden past its first timeout.
        var renewed = await queue.RenewAsync(again, TimeSpan.FromSeconds(30));
        Assert.NotEqual(again.PopReceipt, renewed.PopReceipt);
        await Task.Delay(2500);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await queue.DeleteAsync(renewed));
        Assert.True(await queue.DeleteAsync(second));
        Assert.Equal(0, await queue.ApproximateCountAsync());
    }

    [Fact]
    public async Task AnAccountSasWorksForBlobsAndQueuesAndNeverShowsInErrors()
    {
        var keyed = StorageCredentials.FromConnectionString(azurite.ConnectionString());
        var sas = AccountSas.Create(keyed, "rwdlacup", DateTimeOffset.UtcNow.AddHours(1));
        var token = new StorageCredentials(keyed.Account, keyed.BlobEndpoint, sasToken: sas, queueEndpoint: keyed.QueueEndpoint);
        using var queue = Queue("sas-queue", token);
        await queue.CreateIfNotExistsAsync();
        await queue.SendAsync("via sas");
        var message = await queue.ReceiveAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("via sas", message!.Text);
        Assert.True(await queue.DeleteAsync(message));

        using var blobs = new AzureBlobClient(token);
        await blobs.CreateContainerIfNotExistsAsync("sas-container");
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "hello");
        Assert.True(await blobs.UploadFileAsync("sas-container", "a/b.txt", file));
        Assert.True(await blobs.ExistsAsync("sas-container", "a/b.txt"));
        File.Delete(file);

        // A read-only token cannot write: refused at once, and the message names the operation, not the token.
        var readOnly = new StorageCredentials(keyed.Account, keyed.BlobEndpoint, sasToken: AccountSas.Create(keyed, "rl", DateTimeOffset.UtcNow.AddHours(1)), queueEndpoint: keyed.QueueEndpoint);
        using var reader = Queue("sas-queue", readOnly);
        var error = await Assert.ThrowsAsync<StorageException>(() => reader.SendAsync("refused"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("send a message to queue 'sas-queue'", error.Message);
        Assert.DoesNotContain("sig=", error.Message);
    }

    [Fact]
    public void QueueNamesAreCheckedBeforeAnyRequest()
    {
        var credentials = StorageCredentials.FromConnectionString(azurite.ConnectionString());
        Assert.Contains("not a valid queue name", Assert.Throws<ArgumentException>(() => new AzureQueueClient(credentials, "Videos_To_Do")).Message);
        Assert.Equal(new Uri("https://archive.queue.core.windows.net/"), StorageCredentials.FromConnectionString("AccountName=archive;AccountKey=" + Azurite.Key).QueueEndpoint);
    }
}
