using System.Text;
using Azure.Storage;
using Azure.Storage.Queues;
using Azure.Storage.Sas;
using Pipeline.Testing;

namespace Pipeline.Storage.Tests;

/// <summary>The message queue on the Azure SDK against Azurite: leases, renewals, redelivery, counts, earlier messages; and SAS tokens for both services.</summary>
public sealed class AzureMessageQueueTests : IClassFixture<AzuriteFixture>
{
    private readonly Azurite azurite;

    public AzureMessageQueueTests(AzuriteFixture fixture) => azurite = fixture.Azurite;

    private StorageCredentials Keyed => StorageCredentials.FromConnectionString(azurite.ConnectionString());

    private AzureMessageQueue Queue(string name, StorageCredentials? credentials = null) =>
        new(credentials ?? Keyed, name, o => o.Retry.Delay = TimeSpan.FromMilliseconds(100));

    [Fact]
    public async Task LeasesHideMessagesUntilTheyExpireAndOnlyTheCurrentReceiptDeletes()
    {
        var queue = Queue("leases");
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

        // Renewing keeps it hidden past its first timeout, and keeps its text.
        var renewed = await queue.RenewAsync(again, TimeSpan.FromSeconds(3));
        Assert.NotEqual(again.PopReceipt, renewed.PopReceipt);
        await Task.Delay(2500);
        Assert.Null(await queue.ReceiveAsync(TimeSpan.FromSeconds(30)));
        await Task.Delay(1500);
        var redelivered = await queue.ReceiveAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(first.Text, redelivered!.Text);
        Assert.True(await queue.DeleteAsync(redelivered));
        Assert.True(await queue.DeleteAsync(second));
        Assert.Equal(0, await queue.ApproximateCountAsync());
    }

    [Fact]
    public async Task MessagesOfTheEarlierRestClientStayReadable()
    {
        // The pipeline's own REST client (before the SDK) wrote each message as base64 of its UTF-8
        // text; messages in flight, and those in poison queues, must survive the upgrade.
        var raw = new QueueClient(azurite.ConnectionString(), "earlier", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await raw.CreateIfNotExistsAsync();
        const string text = "{\"id\": \"cam-1\", \"uri\": \"az://videos/ü.mp4\", \"reason\": \"a <b> & c\"}";
        await raw.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)));

        var queue = Queue("earlier");
        var message = await queue.ReceiveAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(text, message!.Text);
        await queue.SendAsync(text); // and what the new client writes reads the same way as before
        var written = (await raw.ReceiveMessageAsync()).Value;
        Assert.Equal(text, Encoding.UTF8.GetString(Convert.FromBase64String(written.Body.ToString())));
    }

    [Fact]
    public async Task AnAccountSasWorksForBlobsAndQueuesAndNeverShowsInErrors()
    {
        string Sas(AccountSasPermissions permissions)
        {
            var builder = new AccountSasBuilder(permissions, DateTimeOffset.UtcNow.AddHours(1), AccountSasServices.Blobs | AccountSasServices.Queues, AccountSasResourceTypes.All) { Protocol = SasProtocol.HttpsAndHttp };
            return builder.ToSasQueryParameters(new StorageSharedKeyCredential(Azurite.Account, Azurite.Key)).ToString();
        }

        var token = StorageCredentials.WithSas(Azurite.Account, azurite.BlobEndpoint, Sas(AccountSasPermissions.All), azurite.QueueEndpoint);
        var queue = Queue("sas-queue", token);
        await queue.CreateIfNotExistsAsync();
        await queue.SendAsync("via sas");
        var message = await queue.ReceiveAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("via sas", message!.Text);
        Assert.True(await queue.DeleteAsync(message));

        var blobs = new AzureBlobStore(token);
        await blobs.CreateContainerIfNotExistsAsync("sas-container");
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "hello");
        Assert.True(await blobs.UploadFileAsync("sas-container", "a/b.txt", file));
        Assert.True(await blobs.ExistsAsync("sas-container", "a/b.txt"));
        File.Delete(file);

        // A read-only token cannot write: refused at once, and the message names the operation, not the token.
        var readOnly = StorageCredentials.WithSas(Azurite.Account, azurite.BlobEndpoint, Sas(AccountSasPermissions.Read | AccountSasPermissions.List), azurite.QueueEndpoint);
        var error = await Assert.ThrowsAsync<StorageException>(() => Queue("sas-queue", readOnly).SendAsync("refused"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("send a message to queue 'sas-queue'", error.Message);
        Assert.DoesNotContain("sig=", error.Message);
    }

    [Fact]
    public void QueueNamesAreCheckedBeforeAnyRequest() =>
        Assert.Contains("not a valid queue name", Assert.Throws<ArgumentException>(() => new AzureMessageQueue(Keyed, "Videos_To_Do")).Message);
}
