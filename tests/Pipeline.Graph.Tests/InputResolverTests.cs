using Pipeline.Graph.Inputs;

namespace Pipeline.Graph.Tests;

public sealed class InputResolverTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("inputs-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Touch(string relative)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        return path;
    }

    [Fact]
    public async Task DirectoriesAreSearchedRecursivelyWithGlobs()
    {
        Touch("a/one.mp4");
        Touch("a/b/two.MKV");
        Touch("a/notes.txt");
        Touch("a/b/c/three.avi");
        var all = await InputResolver.ResolveAsync([Path.Combine(root, "a")]);
        Assert.Equal(["one", "three", "two"], all.Select(v => Path.GetFileNameWithoutExtension(v.LocalPath)).Order());
        var onlyMp4 = await InputResolver.ResolveAsync([Path.Combine(root, "a")], ["*.mp4"]);
        Assert.Equal("one.mp4", Path.GetFileName(Assert.Single(onlyMp4).LocalPath));
    }

    [Fact]
    public void IdsAreStableReadableAndUniquePerPath()
    {
        var a = InputResolver.ForFile("/data/cam 1/clip.mp4");
        Assert.Equal(a, InputResolver.ForFile("/data/cam 1/clip.mp4"));
        Assert.StartsWith("clip-", a.VideoId);
        Assert.NotEqual(a.VideoId, InputResolver.ForFile("/data/cam 2/clip.mp4").VideoId);
        Assert.Matches("^[A-Za-z0-9._-]+$", InputResolver.ForFile("/x/wéird name!.mp4").VideoId);
    }

    [Fact]
    public async Task ManifestsGiveUrisAndIds()
    {
        var video = Touch("v/x.mp4");
        var lines = Path.Combine(root, "list.txt");
        File.WriteAllLines(lines, ["# comment", "v/x.mp4", "", video]);
        await Assert.ThrowsAsync<ArgumentException>(() => InputResolver.ResolveAsync([lines])); // the same video twice
        File.WriteAllLines(lines, ["v/x.mp4"]);
        Assert.Equal(video, Assert.Single(await InputResolver.ResolveAsync([lines])).LocalPath);

        var jsonl = Path.Combine(root, "list.jsonl");
        File.WriteAllLines(jsonl, ["{\"uri\": \"v/x.mp4\", \"id\": \"camera-7_0001\"}"]);
        var task = Assert.Single(await InputResolver.ResolveAsync([jsonl]));
        Assert.Equal("camera-7_0001", task.VideoId);
        File.WriteAllLines(jsonl, ["{\"path\": \"v/x.mp4\"}"]);
        Assert.Contains("list.jsonl:1", (await Assert.ThrowsAsync<FormatException>(() => InputResolver.ResolveAsync([jsonl]))).Message);
        File.WriteAllLines(jsonl, ["{\"uri\": \"v/x.mp4\", \"id\": \"../escape\"}"]);
        Assert.Contains("may only use", (await Assert.ThrowsAsync<FormatException>(() => InputResolver.ResolveAsync([jsonl]))).Message);
    }

    [Fact]
    public async Task BlobUrlsInManifestsLoseTheirSasAndShareTheAzIdentity()
    {
        var credentials = Pipeline.Storage.StorageCredentials.FromConnectionString("AccountName=archive;AccountKey=" + Convert.ToBase64String(new byte[32]));
        var client = new Pipeline.Storage.AzureBlobStore(credentials);
        var storage = new Remote.RemoteStorage(credentials, client); // no request is made: manifests are read locally
        var lines = Path.Combine(root, "blobs.txt");
        File.WriteAllLines(lines, ["https://archive.blob.core.windows.net/videos/cam%201/a.mp4?sv=2021-08-06&sig=SECRET", "az://videos/cam 1/b.mp4"]);
        var tasks = await InputResolver.ResolveAsync([lines], storage: storage);
        Assert.Equal(["https://archive.blob.core.windows.net/videos/cam%201/a.mp4", "az://videos/cam 1/b.mp4"], tasks.Select(t => t.Uri));
        Assert.Equal(InputResolver.ForBlob(new Remote.BlobUri("videos", "cam 1/a.mp4")).VideoId, tasks[0].VideoId);
        Assert.All(tasks, t => Assert.True(t.NeedsFetch));

        File.WriteAllLines(lines, ["https://other.blob.core.windows.net/videos/a.mp4?sig=SECRET"]);
        var error = await Assert.ThrowsAsync<FormatException>(() => InputResolver.ResolveAsync([lines], storage: storage));
        Assert.Contains("blobs.txt:1: 'https://other.blob.core.windows.net/videos/a.mp4' is not in storage account 'archive'", error.Message);
        Assert.DoesNotContain("SECRET", error.Message);
        var noAccount = await Assert.ThrowsAsync<FormatException>(() => InputResolver.ResolveAsync([lines]));
        Assert.Contains("no storage account is configured", noAccount.Message);
    }
}
