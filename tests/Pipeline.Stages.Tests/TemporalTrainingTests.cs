using Pipeline.Stages.Detect;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Pose.Temporal.Training;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

/// <summary>A small backbone cache of the sample video's first frames, built once for the training tests.</summary>
public sealed class SampleCacheFixture : IAsyncLifetime
{
    public const long LastFrame = 11;

    public string Root { get; } = Directory.CreateTempSubdirectory("backbone-cache-").FullName;

    public BackboneCache Cache { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var store = ModelStore.Default;
        using var backbone = new MoveNet(store.GraphModel("movenet-thunder"));
        using var detector = new NanoDetDetector(store.GraphModel("nanodet"));
        var description = new CacheDescription(SampleVideo.Path, new FileInfo(SampleVideo.Path).Length, 2, LastFrame, ["clean", "random"], 1, "test");
        Cache = await new BackboneCacheBuilder(backbone, detector).OpenOrBuildAsync(Root, description);
    }

    public Task DisposeAsync()
    {
        Cache.Dispose();
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }
}

[Collection(SerialTrainingCollection.Name)]
public sealed class TemporalTrainingTests(SampleCacheFixture sample, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SampleCacheFixture>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("train-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static TrainingOptions Options(int steps) => new() { Steps = steps, BatchSize = 2, WarmupSteps = 2, LearningRate = 3e-3, CheckpointEvery = 1000, ValidateEvery = 1000, LogEvery = 1 };

    [Fact]
    public void TheCacheHoldsEveryTrackedPersonFrameWithTheTeacherOnTheCleanCrop()
    {
        var cache = sample.Cache;
        Assert.True(cache.Items.Count >= 10, $"{cache.Items.Count} person-frames");
        Assert.All(cache.Items, p => Assert.InRange(p.Frame, 2, SampleCacheFixture.LastFrame));
        Assert.All(cache.Items, p => Assert.Equal(["clean"], p.Degradations.Take(1)));
        Assert.Contains(cache.Items, p => p.Degradations[1] != "clean");
        Assert.Contains(Enumerable.Range(0, cache.Items.Count), cache.Teaches);

        // The record holds features after a ReLU and sigmoid heatmaps, and the degraded version differs from the clean one.
        var (features, heatmaps) = cache.Read(0, 0);
        var (degradedFeatures, _) = cache.Read(0, 1);
        Assert.Equal([24L, 64, 64], features.shape);
        Assert.True(features.min().item<float>() >= 0);
        Assert.InRange(heatmaps.max().item<float>(), 0.05, 1);
        Assert.True((features - degradedFeatures).abs().max().item<float>() > 0.1);

        // Reopening reads the same cache rather than building a new one.
        using var again = BackboneCache.Open(cache.Directory)!;
        Assert.Equal(cache.Items.Count, again.Items.Count);
    }

    [Fact]
    public void NeighboursAreTheTracksNearestFramesAndAreResampledOntoTheKeyCrop()
    {
        var cache = sample.Cache;
        var track = cache.Items.GroupBy(p => p.Track).OrderByDescending(g => g.Count()).First();
        var first = track.MinBy(p => p.Frame)!;
        var key = cache.Items.ToList().IndexOf(first);
        var assembler = new WindowAssembler(cache, radius: 2);

        // At the track's start the earlier slots clamp to its first frame.
        Assert.Equal(key, assembler.SlotItem(key, -2));
        Assert.Equal(key, assembler.SlotItem(key, -1));
        var next = assembler.SlotItem(key, 1);
        Assert.Equal(first.Frame + 1, cache.Items[next].Frame);
        Assert.Equal(first.Track, cache.Items[next].Track);

        using var scope = NewDisposeScope();
        using var batch = assembler.Assemble([new WindowRequest(key, [0, 0, 1, 0, 0])]);
        Assert.Equal([1L, 5, 24, 64, 64], batch.Features.shape);
        Assert.Equal([1L, 5, 17, 64, 64], batch.Heatmaps.shape);
        var (keyFeatures, _) = cache.Read(key, 1);
        Assert.True((batch.Features[0, 2] - keyFeatures).abs().max().item<float>() < 1e-4, "the key slot is the key frame's version 1");
        var (nextFeatures, nextHeatmaps) = cache.Read(next, 0);
        var expected = NeighbourAlignment.Resample(nextHeatmaps.unsqueeze(0), [first.CropRegion], [cache.Items[next].CropRegion]);
        Assert.True((batch.Heatmaps[0, 3] - expected[0]).abs().max().item<float>() < 1e-5, "slot t+1 is the next frame resampled onto the key crop");

        using var copies = new WindowAssembler(cache, 2, NeighbourSource.KeyCopies).Assemble([new WindowRequest(key, [0, 0, 1, 0, 0])]);
        Assert.True((copies.Features[0, 0] - copies.Features[0, 2]).abs().max().item<float>() < 1e-4, "key copies repeat the key slot");
        Assert.Equal(batch.Targets.data<float>().ToArray(), copies.Targets.data<float>().ToArray());
    }

    [Fact]
    public void EverySlotCarriesItsOwnFramesTargetInTheKeyCropAndItsCleanFeatures()
    {
        var assembler = new WindowAssembler(sample.Cache, 2);
        var key = Enumerable.Range(0, sample.Cache.Items.Count).First(i => sample.Cache.Teaches(i) && sample.Cache.Slot(i, 1, 2) != i);
        var next = sample.Cache.Slot(key, 1, 2);

        using var scope = NewDisposeScope();
        using var batch = assembler.Assemble([new WindowRequest(key, [0, 0, 1, 1, 0])], withCleanFeatures: true);
        Assert.Equal([1L, 5, 17, 3], batch.SlotKeypoints.shape);
        var expected = WindowAssembler.InKeyCrop(sample.Cache.Target(next), sample.Cache.Items[next].CropRegion, sample.Cache.Items[key].CropRegion);
        Assert.Equal(expected, batch.SlotKeypoints[0, 3].data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(sample.Cache.Target(key)!, batch.SlotKeypoints[0, 2].data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);

        // Slot t+1 is degraded in the input; its clean features are version 0 resampled the same way.
        var (clean, _) = sample.Cache.Read(next, 0);
        var resampled = NeighbourAlignment.Resample(clean.unsqueeze(0), [sample.Cache.Items[key].CropRegion], [sample.Cache.Items[next].CropRegion]);
        Assert.True((batch.CleanFeatures![0, 3] - resampled[0]).abs().max().item<float>() < 1e-5);
        Assert.True((batch.CleanFeatures[0, 3] - batch.Features[0, 3]).abs().max().item<float>() > 0.1, "the input slot is the degraded version");
        Assert.Null(assembler.Assemble([new WindowRequest(key, [0, 0, 1, 1, 0])]).CleanFeatures);

        // Slots that hold their own frame t+d, against repeats at the track's ends and gaps, and key copies (only the key slot).
        var own = batch.SlotOwnFrame[0].data<float>().ToArray();
        for (var d = -2; d <= 2; d++)
        {
            var item = sample.Cache.Slot(key, d, 2);
            Assert.Equal(d == 0 || sample.Cache.Items[item].Frame == sample.Cache.Items[key].Frame + d ? 1 : 0, own[d + 2]);
        }

        using var copies = new WindowAssembler(sample.Cache, 2, NeighbourSource.KeyCopies).Assemble([new WindowRequest(key, [0, 0, 1, 1, 0])]);
        Assert.Equal([0f, 0, 1, 0, 0], copies.SlotOwnFrame[0].data<float>().ToArray());
    }

    [Fact]
    public void TheContinuityLossTermsAreBalancedAtTheStart()
    {
        var assembler = new WindowAssembler(sample.Cache, 2);
        var windows = Enumerable.Range(0, sample.Cache.Items.Count).Where(sample.Cache.Teaches).Take(8).Select(i => new WindowRequest(i, [1, 0, 1, 0, 1])).ToList();
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        using var head = new Pose.Temporal.Continuity.Continuity();
        using var batch = assembler.Assemble(windows, withCleanFeatures: true);
        using var result = head.call(batch.Features, batch.Heatmaps);
        using var terms = head.LossTerms(result, batch, new Random(1));
        var w = Pose.Temporal.Continuity.Continuity.Weights;
        var weighted = new[] { w.KeyFrame, w.Window, w.Contrastive, w.Spatial, w.Trajectory }.Zip(terms.All, (l, t) => l * t.item<float>()).ToArray();
        output.WriteLine($"λ·L at the start: h2 {weighted[0]:E2}, h1 {weighted[1]:E2}, c {weighted[2]:E2}, s {weighted[3]:E2}, t {weighted[4]:E2}");
        Assert.All(weighted.Skip(2), v => Assert.InRange(v / weighted[0], 0.03, 0.3)); // "about a tenth" (Continuity.Weights)
    }

    [Theory]
    [InlineData("fasrnet", 3e-3, 40)]
    [InlineData("vremd", 1e-4, 120)] // the transformer head needs a far lower rate: at 1e-3 its loss here rises (4.3e-4 → 5.8e-4)
    [InlineData("continuity", 1e-4, 120)]
    public void AFewStepsOfTrainingLowerTheLossOnTheirWindows(string model, double learningRate, int steps)
    {
        var radius = TemporalModels.Radius(model);
        var assembler = new WindowAssembler(sample.Cache, radius);
        var windows = Enumerable.Range(0, sample.Cache.Items.Count).Where(sample.Cache.Teaches).Take(8)
            .Select(i => new WindowRequest(i, [.. Enumerable.Range(-radius, (2 * radius) + 1).Select(d => d == 0 ? 1 : 0)])).ToList();
        var options = Options(steps);
        options.LearningRate = learningRate;
        using var trainer = new TemporalTrainer(model, assembler, assembler, windows, options);
        var before = trainer.ValidateOnHeldOut().Loss!.Value;
        var result = trainer.Train(Path.Combine(folder, "few.checkpoint"));
        var after = trainer.ValidateOnHeldOut().Loss!.Value;
        Assert.True(result.Complete);
        Assert.True(after < before * 0.9, $"loss {before:E3} → {after:E3}");
        Assert.Equal(0, result.RecalibratedLayers); // no BatchNorm
    }

    [Fact]
    public void AFewStepsOfTrainingLowerSdtcsTrainingObjective()
    {
        // SDTC trains on masked tokens, so a few steps cannot yet show on its unmasked output (at 1e-4 for 120 steps its
        // eval-mode loss here rises, 4.3e-4 → 7.6e-4, while without masking it falls): this checks the objective training
        // minimises, L_H + L_Rec in training mode on fixed windows and fixed masks.
        var assembler = new WindowAssembler(sample.Cache, 2);
        var windows = Enumerable.Range(0, sample.Cache.Items.Count).Where(sample.Cache.Teaches).Take(8)
            .Select(i => new WindowRequest(i, [0, 0, 1, 0, 0])).ToList();
        using var trainer = new TemporalTrainer("sdtc", assembler, null, [], Options(60));
        double Objective()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var batch = assembler.Assemble(windows);
            using var result = trainer.Head.TrainingForward(batch, new Random(99));
            return trainer.Head.TrainingLoss(result, batch, new Random(99)).item<float>();
        }

        var before = Objective();
        var result = trainer.Train(Path.Combine(folder, "sdtc.checkpoint"));
        var after = Objective();
        Assert.True(after < before * 0.9, $"objective {before:E3} → {after:E3}");
        Assert.Equal(3, result.RecalibratedLayers); // SMCA both ways and the fusion: their statistics recomputed unmasked after the last step
    }

    private const string FaSRnetName = "fasrnet";

    [Theory]
    [InlineData("fasrnet")]
    [InlineData("dsa")]
    [InlineData("vremd")]
    [InlineData("continuity")]
    [InlineData("sdtc")]
    public void AResumedRunEndsWhereAnUninterruptedOneDoes(string model)
    {
        var radius = TemporalModels.Create(model).Radius;
        var assembler = new WindowAssembler(sample.Cache, radius);
        const int steps = 6;
        Dictionary<string, double[]> Weights(TemporalTrainer t) => t.Head.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float64).data<double>().ToArray()); // BatchNorm counts are int64

        using var straight = new TemporalTrainer(model, assembler, null, [], Options(steps));
        straight.Train(Path.Combine(folder, "straight.checkpoint"));

        var checkpoint = Path.Combine(folder, "stopped.checkpoint");
        using (var stop = new CancellationTokenSource())
        using (var first = new TemporalTrainer(model, assembler, null, [], Options(steps), new StopAt("step 3/", stop)))
        {
            var partial = first.Train(checkpoint, cancellationToken: stop.Token);
            Assert.Equal(3, partial.Step);
            Assert.False(partial.Complete);
        }

        using var resumed = new TemporalTrainer(model, assembler, null, [], Options(steps));
        Assert.Equal(3, resumed.LoadCheckpoint(checkpoint));
        Assert.True(resumed.Train(checkpoint, 3).Complete);

        var (a, b) = (Weights(straight), Weights(resumed));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.All(a, kv => Assert.Equal(kv.Value, b[kv.Key]));
    }

    [Fact]
    public void ACheckpointIsResumedOnlyWithTheSettingsItWasMadeWith()
    {
        var assembler = new WindowAssembler(sample.Cache, 1);
        var checkpoint = Path.Combine(folder, "settings.checkpoint");
        using (var trainer = new TemporalTrainer(FaSRnetName, assembler, null, [], Options(2)))
        {
            trainer.Train(checkpoint);
        }

        var other = Options(2);
        other.BatchSize = 3;
        using var changed = new TemporalTrainer(FaSRnetName, assembler, null, [], other);
        var e = Assert.Throws<InvalidDataException>(() => changed.LoadCheckpoint(checkpoint));
        Assert.Contains("batch=2", e.Message);

        using var dsa = new TemporalTrainer("dsa", new WindowAssembler(sample.Cache, 2), null, [], Options(2));
        Assert.Contains("model 'fasrnet'", Assert.Throws<InvalidDataException>(() => dsa.LoadCheckpoint(checkpoint)).Message);
    }

    // Cancels when a progress line starts with the given text: stops a run at an exact step.
    private sealed class StopAt(string prefix, CancellationTokenSource stop) : IProgress<string>
    {
        public void Report(string value)
        {
            if (value.StartsWith(prefix, StringComparison.Ordinal))
            {
                stop.Cancel();
            }
        }
    }
}
