using System.Diagnostics;
using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Pipeline.Testing;

namespace Pipeline.Storage.Tests;

/// <summary>The blob store on the Azure SDK against Azurite, the official emulator, on a free local port.</summary>
public sealed class AzureBlobStoreTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly Azurite azurite;
    private readonly string work = Directory.CreateTempSubdirectory("blob-store-").FullName;

    public AzureBlobStoreTests(AzuriteFixture fixture) => azurite = fixture.Azurite;

    public void Dispose() => Directory.Delete(work, recursive: true);

    private AzureBlobStore Store(string? key = null, Action<BlobClientOptions>? configure = null) =>
        new(StorageCredentials.FromConnectionString(azurite.ConnectionString(key ?? Azurite.Key)), o =>
        {
            o.Retry.Delay = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(o);
        })
        {
            BlockSize = 1 << 20,
            SingleUploadLimit = 1 << 20,
            ListPageSize = 2,
        };

    private string File(string name, int bytes, int seed)
    {
        var path = Path.Combine(work, name);
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        System.IO.File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public async Task UploadsInBlocksListsAcrossPagesAndDownloadsTheSameBytes()
    {
        var store = Store();
        await store.CreateContainerIfNotExistsAsync("videos");
        await store.CreateContainerIfNotExistsAsync("videos"); // idempotent
        var large = File("large.bin", (3 << 20) + 12345, 1); // 4 blocks of 1 MiB
        Assert.True(await store.UploadFileAsync("videos", "in/large.bin", large));
        for (var i = 0; i < 4; i++)
        {
            await store.UploadFileAsync("videos", $"in/small-{i}.bin", File($"s{i}.bin", 1000 + i, i + 10));
        }

        await store.UploadFileAsync("videos", "other/x.bin", File("x.bin", 10, 99));
        var listed = new List<BlobItem>();
        await foreach (var b in store.ListAsync("videos", "in/"))
        {
            listed.Add(b);
        }

        Assert.Equal(["in/large.bin", "in/small-0.bin", "in/small-1.bin", "in/small-2.bin", "in/small-3.bin"], listed.Select(b => b.Name).Order());
        Assert.Equal((3 << 20) + 12345, listed.Single(b => b.Name == "in/large.bin").Length);

        var copy = Path.Combine(work, "copy.bin");
        await store.DownloadToFileAsync("videos", "in/large.bin", copy);
        Assert.Equal(System.IO.File.ReadAllBytes(large), System.IO.File.ReadAllBytes(copy));
        Assert.True(await store.ExistsAsync("videos", "other/x.bin"));
        await store.DeleteAsync("videos", "other/x.bin");
        Assert.False(await store.ExistsAsync("videos", "other/x.bin"));
        await store.DeleteAsync("videos", "other/x.bin"); // deleting what is gone is no error
    }

    [Fact]
    public async Task CreateOnlyCommitsNeverReplaceAnExistingBlob()
    {
        var store = Store();
        await store.CreateContainerIfNotExistsAsync("results");
        var first = File("first.bin", 2 << 20, 3);   // block path
        var second = File("second.bin", 2 << 20, 4);
        Assert.True(await store.UploadFileAsync("results", "v.parquet", first, onlyIfAbsent: true));
        Assert.False(await store.UploadFileAsync("results", "v.parquet", second, onlyIfAbsent: true));
        Assert.False(await store.UploadFileAsync("results", "v.parquet", File("tiny.bin", 10, 5), onlyIfAbsent: true)); // single-request path
        var copy = Path.Combine(work, "v.parquet");
        await store.DownloadToFileAsync("results", "v.parquet", copy);
        Assert.Equal(System.IO.File.ReadAllBytes(first), System.IO.File.ReadAllBytes(copy));
    }

    [Theory]
    [InlineData(100)]       // one request
    [InlineData(3 << 20)]   // staged blocks, then the block-list commit
    public async Task ACommitWhoseResponseIsLostRecognisesItsOwnBlobOnRetry(int bytes)
    {
        // The first commit reaches the service and creates the blob, then its response is lost;
        // the SDK's retry meets If-None-Match: * on an existing blob (409) — which is ours.
        var lose = new LoseFirstCommitResponse();
        var store = Store(configure: o => o.AddPolicy(lose, HttpPipelinePosition.PerRetry));
        await store.CreateContainerIfNotExistsAsync("lost");
        var path = File($"lost-{bytes}.bin", bytes, 7);
        Assert.True(await store.UploadFileAsync("lost", $"v-{bytes}.parquet", path, onlyIfAbsent: true));
        Assert.Equal(1, lose.Lost);

        // Someone else's blob under the name is still not ours.
        Assert.False(await Store().UploadFileAsync("lost", $"v-{bytes}.parquet", path, onlyIfAbsent: true));
    }

    [Fact]
    public async Task WrongCredentialsStopAtOnceWithAClearError()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var store = Store(wrongKey);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StorageException>(() => store.CreateContainerIfNotExistsAsync("videos"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "authentication failures must not be retried");
        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("storage account 'devstoreaccount1': create container 'videos' failed: HTTP 403", error.Message);
        Assert.DoesNotContain(wrongKey, error.Message);
        Assert.DoesNotContain(Azurite.Key, error.Message);
    }

    [Fact]
    public void ConnectionStringsParseAndNeverPrintTheKey()
    {
        var credentials = StorageCredentials.FromConnectionString(azurite.ConnectionString());
        Assert.Equal("devstoreaccount1", credentials.Account);
        Assert.Equal("shared key", credentials.Kind);
        Assert.DoesNotContain(Azurite.Key, credentials.ToString());
        Assert.Throws<FormatException>(() => StorageCredentials.FromConnectionString("AccountName=a;AccountKey=not base64!"));
        var cloud = StorageCredentials.FromConnectionString("DefaultEndpointsProtocol=https;AccountName=archive;AccountKey=" + Azurite.Key + ";EndpointSuffix=core.windows.net");
        Assert.Equal(new Uri("https://archive.blob.core.windows.net/"), cloud.BlobEndpoint);
        Assert.Equal(new Uri("https://archive.queue.core.windows.net/"), cloud.QueueEndpoint);
    }

    /// <summary>Lets the first create-only upload request through to the service, then throws as if the connection dropped before the response arrived.</summary>
    private sealed class LoseFirstCommitResponse : HttpPipelinePolicy
    {
        public int Lost { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException("async only");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            var commit = message.Request.Method == RequestMethod.Put && message.Request.Headers.TryGetValue("If-None-Match", out var match) && match == "*";
            if (commit && Lost == 0 && message.Response.Status == 201)
            {
                Lost++;
                throw new IOException("simulated: the connection dropped before the response arrived");
            }
        }
    }
}

/// <summary>One Azurite for the tests of a class; the outage test gets its own.</summary>
public sealed class AzuriteFixture : IDisposable
{
    public Azurite Azurite { get; } = new();

    public void Dispose() => Azurite.Dispose();
}
