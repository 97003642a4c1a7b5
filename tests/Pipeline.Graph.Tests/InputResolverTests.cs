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
}
