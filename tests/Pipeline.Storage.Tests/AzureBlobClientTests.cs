using System.Diagnostics;
using System.Net;
using Pipeline.Testing;

namespace Pipeline.Storage.Tests;

/// <summary>The REST client against Azurite, the official emulator, on a free local port.</summary>
public sealed class AzureBlobClientTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly Azurite azurite;
    private readonly string work = Directory.CreateTempSubdirectory("blob-client-").FullName;

    public AzureBlobClientTests(AzuriteFixture fixture) => azurite = fixture.Azurite;

    public void Dispose() => Directory.Delete(work, recursive: true);

    private AzureBlobClient Client(string? key = null, RetryPolicy? retry = null) =>
        new(StorageCredentials.FromConnectionString(azurite.ConnectionString(key ?? Azurite.Key)), retry ?? new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(200) })
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
        using var client = Client();
        await client.CreateContainerIfNotExistsAsync("videos");
        await client.CreateContainerIfNotExistsAsync("videos"); // idempotent
        var large = File("large.bin", (3 << 20) + 12345, 1); // 4 blocks of 1 MiB
        Assert.True(await client.UploadFileAsync("videos", "in/large.bin", large));
        for (var i = 0; i < 4; i++)
        {
            await client.UploadFileAsync("videos", $"in/small-{i}.bin", File($"s{i}.bin", 1000 + i, i + 10));
        }

        await client.UploadFileAsync("videos", "other/x.bin", File("x.bin", 10, 99));
        var listed = new List<BlobItem>();
        await foreach (var b in client.ListAsync("videos", "in/"))
        {
            listed.Add(b);
        }

        Assert.Equal(["in/large.bin", "in/small-0.bin", "in/small-1.bin", "in/small-2.bin", "in/small-3.bin"], listed.Select(b => b.Name).Order());
        Assert.Equal((3 << 20) + 12345, listed.Single(b => b.Name == "in/large.bin").Length);

        var copy = Path.Combine(work, "copy.bin");
        await client.DownloadToFileAsync("videos", "in/large.bin", copy);
        Assert.Equal(System.IO.File.ReadAllBytes(large), System.IO.File.ReadAllBytes(copy));
        Assert.True(await client.ExistsAsync("videos", "other/x.bin"));
        await client.DeleteAsync("videos", "other/x.bin");
        Assert.False(await client.ExistsAsync("videos", "other/x.bin"));
    }

    [Fact]
    public async Task CreateOnlyCommitsNeverReplaceAnExistingBlob()
    {
        using var client = Client();
        await client.CreateContainerIfNotExistsAsync("results");
        var first = File("first.bin", 2 << 20, 3);   // block path
        var second = File("second.bin", 2 << 20, 4);
        Assert.True(await client.UploadFileAsync("results", "v.parquet", first, onlyIfAbsent: true));
        Assert.False(await client.UploadFileAsync("results", "v.parquet", second, onlyIfAbsent: true));
        Assert.False(await client.UploadFileAsync("results", "v.parquet", File("tiny.bin", 10, 5), onlyIfAbsent: true)); // single-request path
        var copy = Path.Combine(work, "v.parquet");
        await client.DownloadToFileAsync("results", "v.parquet", copy);
        Assert.Equal(System.IO.File.ReadAllBytes(first), System.IO.File.ReadAllBytes(copy));
    }

    [Fact]
    public async Task WrongCredentialsStopAtOnceWithAClearError()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        using var client = Client(wrongKey);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StorageException>(() => client.CreateContainerIfNotExistsAsync("videos"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "authentication failures must not be retried");
        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("devstoreaccount1", error.Message);
        Assert.Contains("create container 'videos'", error.Message);
        Assert.DoesNotContain(wrongKey, error.Message);
        Assert.DoesNotContain(Azurite.Key, error.Message);
    }

    [Fact]
    public void ConnectionStringsParseAndNeverPrintTheKey()
    {
        var credentials = StorageCredentials.FromConnectionString(azurite.ConnectionString());
        Assert.Equal("devstoreaccount1", credentials.Account);
        Assert.DoesNotContain(Azurite.Key, credentials.ToString());
        Assert.Throws<FormatException>(() => StorageCredentials.FromConnectionString("AccountName=a;AccountKey=not base64!"));
        var cloud = StorageCredentials.FromConnectionString("DefaultEndpointsProtocol=https;AccountName=archive;AccountKey=" + Azurite.Key + ";EndpointSuffix=core.windows.net");
        Assert.Equal(new Uri("https://archive.blob.core.windows.net/"), cloud.BlobEndpoint);
    }
}

/// <summary>One Azurite for the tests of a class; the outage test gets its own.</summary>
public sealed class AzuriteFixture : IDisposable
{
    public Azurite Azurite { get; } = new();

    public void Dispose() => Azurite.Dispose();
}
