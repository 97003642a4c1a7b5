using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Pose.Temporal.Training;

namespace Pipeline.Stages.Tests;

/// <summary>The papers' key-box windows, cut from the sample's own-box cache for the bench.</summary>
public sealed class KeyBoxCacheTests(SampleCacheFixture sample, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SampleCacheFixture>, IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("key-box-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public async Task EverySlotIsTheOwnBoxWindowsFrameCroppedAtTheKeysBoxWithTheSameDegradations()
    {
        var cache = sample.Cache;
        var track = cache.Items.Select((p, i) => (p, i)).GroupBy(x => x.p.Track).OrderByDescending(g => g.Count()).First().OrderBy(x => x.p.Frame).ToList();
        int[] keys = [track[0].i, track[track.Count / 2].i, track[^1].i];
        using var backbone = new MoveNet(ModelStore.Default.GraphModel("movenet-thunder"));
        using var keyBox = await new KeyBoxCacheBuilder(backbone).OpenOrBuildAsync(root, cache, keys, radius: 2);

        var ownBox = new WindowAssembler(cache, 2);
        var boxes = new WindowAssembler(keyBox, 2);
        var expectedCrops = 0;
        foreach (var key in keys)
        {
            var keyItem = KeyBoxCacheBuilder.KeyItem(keyBox, cache, key);
            var slots = Enumerable.Range(-2, 5).Select(d => (Own: ownBox.SlotItem(key, d), Box: boxes.SlotItem(keyItem, d))).ToList();
            expectedCrops += slots.Select(s => s.Own).Distinct().Count();
            foreach (var (own, box) in slots)
            {
                // The same frame as the own-box window takes (also where the track starts or ends), cropped at the key's region.
                Assert.Equal(cache.Items[own].Frame, keyBox.Items[box].Frame);
                Assert.Equal(cache.Items[key].Region, keyBox.Items[box].Region);
                Assert.Equal(cache.Items[own].Degradations, keyBox.Items[box].Degradations);
            }

            // The key slot is the key's own crop with the same seeded degradation: the same maps (float16, other batches).
            for (var v = 0; v < cache.Versions; v++)
            {
                var (f, h) = cache.Read(key, v);
                var (bf, bh) = keyBox.Read(keyItem, v);
                Assert.True((f - bf).abs().max().item<float>() < 0.02 && (h - bh).abs().max().item<float>() < 0.01, $"key {key} version {v}");
            }
        }

        Assert.Equal(expectedCrops, keyBox.Items.Count);

        // A neighbour cut at the key's box sees the same person as the own-box crop resampled onto the key crop:
        // its confident joints peak within a few map pixels of the resampled ones, though its maps are not the same numbers.
        var neighbour = ownBox.SlotItem(keys[1], 2);
        var boxNeighbour = boxes.SlotItem(KeyBoxCacheBuilder.KeyItem(keyBox, cache, keys[1]), 2);
        var (_, ownHeatmaps) = cache.Read(neighbour, 0);
        var resampled = NeighbourAlignment.Resample(ownHeatmaps.unsqueeze(0), [cache.Items[keys[1]].CropRegion], [cache.Items[neighbour].CropRegion])[0];
        var (_, boxHeatmaps) = keyBox.Read(boxNeighbour, 0);
        var confident = Enumerable.Range(0, 17).Where(j => boxHeatmaps[j].max().item<float>() > 0.4).ToList();
        Assert.NotEmpty(confident);
        foreach (var j in confident)
        {
            var (a, b) = (resampled[j].argmax().item<long>(), boxHeatmaps[j].argmax().item<long>());
            var distance = Math.Max(Math.Abs((a / 64) - (b / 64)), Math.Abs((a % 64) - (b % 64)));
            output.WriteLine($"joint {j}: peak {distance} map pixels apart");
            Assert.True(distance <= 2, $"joint {j}: peaks {distance} map pixels apart");
        }

        // Opening again reuses the cut windows; other keys are other windows.
        using var again = await new KeyBoxCacheBuilder(backbone).OpenOrBuildAsync(root, cache, keys, radius: 2);
        Assert.Equal(keyBox.Directory, again.Directory);
        Assert.NotEqual(BackboneCacheBuilder.Key(KeyBoxCacheBuilder.Describe(cache, keys, 2)), BackboneCacheBuilder.Key(KeyBoxCacheBuilder.Describe(cache, keys[..2], 2)));
        await Assert.ThrowsAsync<ArgumentException>(() => new KeyBoxCacheBuilder(backbone).OpenOrBuildAsync(root, keyBox, [0], radius: 1));
    }

    [Fact]
    public void AnOwnBoxCacheKeepsTheKeyItHadBeforeKeyBoxWindowsExisted()
    {
        // Caches on disk are found by this key: a description without labels or key box must hash as before (pinned).
        var description = new CacheDescription("/v.avi", 123, 0, 9, ["clean", "random"], 1, "backbone");
        Assert.DoesNotContain("KeyBox", System.Text.Json.JsonSerializer.Serialize(description), StringComparison.Ordinal);
        Assert.Equal("b353b6ccc670586f", BackboneCacheBuilder.Key(description)); // SHA-256 of the JSON written before KeyBox existed
    }
}
