using Pipeline.Testing;

namespace Pipeline.Storage.Tests;

public sealed class OutageTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task RequestsRetryThroughAShortOutageAndLoseNothing()
    {
        using var azurite = new Azurite();
        var work = Directory.CreateTempSubdirectory("outage-").FullName;
        try
        {
            // The product's retry settings as they are (StorageClientOptions): about 30 s of retries.
            var client = new AzureBlobStore(StorageCredentials.FromConnectionString(azurite.ConnectionString()));
            await client.CreateContainerIfNotExistsAsync("outage");
            var files = Enumerable.Range(0, 6).Select(i =>
            {
                var path = Path.Combine(work, $"f{i}.bin");
                File.WriteAllBytes(path, Enumerable.Repeat((byte)i, 1000 + i).ToArray());
                return path;
            }).ToList();
            await client.UploadFileAsync("outage", "f0", files[0]);
            azurite.Stop();
            var restart = Task.Run(async () =>
            {
                await Task.Delay(3000);
                azurite.Start();
            });
            foreach (var (path, i) in files.Select((p, i) => (p, i)).Skip(1))
            {
                await client.UploadFileAsync("outage", $"f{i}", path); // the first ones meet the outage
            }

            await restart;
            var names = new List<string>();
            await foreach (var b in client.ListAsync("outage"))
            {
                names.Add(b.Name);
            }

            Assert.Equal(files.Select((_, i) => $"f{i}"), names.Order());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
