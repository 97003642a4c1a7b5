using Pipeline.Graph.Inputs;
using static Pipeline.Testing.ParquetQuery;

namespace Pipeline.Graph.Tests;

public sealed class ShardTests
{
    [Fact]
    public void ShardsPartitionTheInputsWhateverTheirOrder()
    {
        var videos = Enumerable.Range(0, 300).Select(i => InputResolver.ForFile($"/archive/day{i % 7}/clip{i}.mp4")).ToList();
        var shards = Enumerable.Range(0, 3).Select(i => new Shard(i, 3)).ToList();
        var assigned = videos.Select(v => shards.Count(s => s.Contains(v))).ToList();
        Assert.All(assigned, n => Assert.Equal(1, n)); // each video in exactly one shard
        var sizes = shards.Select(s => videos.Count(s.Contains)).ToList();
        Assert.All(sizes, n => Assert.InRange(n, 70, 130));
        var reversed = Enumerable.Reverse(videos).ToList();
        Assert.Equal(videos.Where(shards[1].Contains).Select(v => v.VideoId).Order(), reversed.Where(shards[1].Contains).Select(v => v.VideoId).Order());
    }

    [Fact]
    public void ShardOptionsParseWithClearErrors()
    {
        Assert.Equal(new Shard(2, 3), Shard.Parse("2/3"));
        Assert.Contains("0 <= i < N", Assert.Throws<ArgumentException>(() => Shard.Parse("3/3")).Message);
        Assert.Throws<ArgumentException>(() => Shard.Parse("1-3"));
        Assert.Equal(Shard.All, Shard.Resolve(null));
    }
}

public sealed class ShardedRunTests : IDisposable
{
    private readonly Clips clips = new();
    private readonly string whole = Directory.CreateTempSubdirectory("shard-whole-").FullName;
    private readonly string sharded = Directory.CreateTempSubdirectory("shard-parts-").FullName;

    public void Dispose()
    {
        clips.Dispose();
        Directory.Delete(whole, recursive: true);
        Directory.Delete(sharded, recursive: true);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ThreeShardsTogetherWriteExactlyTheFilesOfOneRun()
    {
        var inputs = Enumerable.Range(0, 6).Select(i => clips.Cut($"s{i}.mp4", 5 + (i * 12), 0.5)).ToList();
        var videos = await InputResolver.ResolveAsync(inputs);
        PrelabelOptions Options(string output, Shard shard) => new() { Output = output, Model = "movenet-lightning", ManifestName = Run.PrelabelRunner.ShardManifestName(shard) };
        await new Run.PrelabelRunner(Options(whole, Shard.All), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).RunAsync(videos, inputs);
        for (var i = 0; i < 3; i++)
        {
            var shard = new Shard(i, 3);
            await new Run.PrelabelRunner(Options(sharded, shard), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).RunAsync(videos.Where(shard.Contains).ToList(), inputs);
        }

        AssertSameFiles(whole, sharded, 6);
        Assert.Equal(3, Directory.GetFiles(sharded, "run-manifest.shard-*.json").Length);
    }
}
