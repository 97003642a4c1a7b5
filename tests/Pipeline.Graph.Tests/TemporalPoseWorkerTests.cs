using Pipeline.Graph.Stages;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose.Temporal;
using static TorchSharp.torch;

namespace Pipeline.Graph.Tests;

/// <summary>The own-box temporal worker driven directly: one row per person-frame, full head chunks, flushed at the end, state bounded.</summary>
public sealed class TemporalPoseWorkerTests : IDisposable
{
    private readonly string weights = Path.Combine(Path.GetTempPath(), $"dsa-{Guid.NewGuid():N}.safetensors");

    public void Dispose() => File.Delete(weights);

    [Fact]
    public async Task EveryPersonFrameGetsOneRowAndTheWorkerHoldsOnlyRecentFrames()
    {
        using (var head = TemporalModels.Create("dsa"))
        {
            TemporalWeights.Save(weights, head, new Dictionary<string, string>());
        }

        var store = ModelStore.Default;
        using var model = new TemporalPoseModel(store.GraphModel(TemporalModels.Backbone), weights, "dsa");
        var worker = new TemporalPoseWorker(model, maxBatch: 4);
        var video = new VideoTask("v", "v.mp4", "v.mp4");

        // Track 1 on every frame; track 2 from frame 3 to 9 with a gap at 6; track 3 only on frame 12.
        var people = new List<(long Frame, int Track)>();
        for (var f = 0L; f < 16; f++)
        {
            people.Add((f, 1));
            if (f is >= 3 and <= 9 and not 6)
            {
                people.Add((f, 2));
            }

            if (f == 12)
            {
                people.Add((f, 3));
            }
        }

        var random = new Random(3);
        var rows = new List<(long Frame, int Track)>();
        var held = new List<int>();
        var batches = people.Chunk(4).ToList();
        for (var b = 0; b < batches.Count; b++)
        {
            var windows = batches[b].Select(p => Window(video, p.Frame, p.Track, random)).ToList();
            var result = (PoseResults)await worker.ProcessAsync(new PoseJob(new PoseBatch(video, windows), null));
            Assert.Null(result.Error);
            rows.AddRange(result.Rows.Select(r => (r.FrameIndex, r.TrackId)));
            Assert.True(result.Rows.Count % 4 == 0, $"batch {b}: {result.Rows.Count} rows, not full chunks of 4 through the head");
            held.Add(worker.HeldPersonFrames);
        }

        var last = (PoseResults)await worker.ProcessAsync(new PoseJob(new PoseBatch(video, [], Last: true), null));
        rows.AddRange(last.Rows.Select(r => (r.FrameIndex, r.TrackId)));

        Assert.Equal(people.Order(), rows.Order());
        Assert.NotEmpty(last.Rows);
        // The end flushes the key frames that waited for neighbours (frames 13–15: δ = 2) and fewer than a chunk of
        // 4 ready ones held back to fill one.
        Assert.Contains(last.Rows, r => r.FrameIndex == 15);
        Assert.InRange(last.Rows.Count(r => r.FrameIndex < 13), 0, 3);
        // At most the tracks alive × (2δ + 1), a batch in flight and the ready key frames held back are held, and nothing after the end.
        Assert.All(held, h => Assert.InRange(h, 0, (3 * 5) + 4 + 3));
        Assert.Equal(0, worker.HeldPersonFrames);
    }

    [Fact]
    public async Task SlotsAreRefinedAsTheHeadOnEverySlotResampledOntoTheKeyCrop()
    {
        // The shipped FaSRnet (an untrained head ignores its neighbours; setup puts the weights in the model cache), on a
        // real frame: RefineSlots, which the worker calls — the key's own-region slots taken as they are, the others
        // resampled — against every slot through the resampling.
        var store = ModelStore.Default;
        using var model = new TemporalPoseModel(store.GraphModel(TemporalModels.Backbone), store.TemporalWeights("fasrnet"), "fasrnet");
        var frame = await Pipeline.Stages.Decode.StillFrames.ReadAsync("/usr/share/doc/opencv-doc/examples/data/vtest.avi", 240);
        BoundingBox[] regions = [new(300, 120, 420, 400), new(306, 118, 428, 396), new(296, 124, 414, 404)];
        using var scope = NewDisposeScope();
        var crops = tensor(Pipeline.Stages.Imaging.CropSampler.Crops(frame, regions, model.InputSize), [3, 3, model.InputSize, model.InputSize]);
        var maps = model.RunBackbone(crops);
        // Slots t−1, t, t+1, and a window at a track's start (t−1 repeats the key).
        var windows = new List<IReadOnlyList<(BoundingBox Region, Tensor Maps)>>
        {
            new[] { (regions[1], maps[1]), (regions[0], maps[0]), (regions[2], maps[2]) },
            new[] { (regions[0], maps[0]), (regions[0], maps[0]), (regions[1], maps[1]) },
        };
        var keypoints = model.RefineSlots(windows);

        var slotMaps = stack(windows.SelectMany(w => w.Select(s => s.Maps)).ToList());
        var aligned = NeighbourAlignment.Resample(slotMaps, [.. windows.SelectMany(w => w.Select(_ => w[1].Region))], [.. windows.SelectMany(w => w.Select(s => s.Region))]).view(2, 3, -1, 64, 64);
        var expected = model.Refine(aligned.narrow(2, 0, 24), aligned.narrow(2, 24, 17));
        // Tolerance: the skipped identity resampling differs from a copy by float rounding (~1e-6 on the maps).
        Assert.True((keypoints - expected).abs().max().item<float>() < 1e-3, $"max difference {(keypoints - expected).abs().max().item<float>()}");
        // And the neighbours matter: with the neighbours' slots replaced by the key, the answer moves.
        var copies = model.RefineSlots([new[] { (regions[0], maps[0]), (regions[0], maps[0]), (regions[0], maps[0]) }]);
        Assert.True((copies[0] - keypoints[0]).abs().max().item<float>() > 1e-3, "the neighbours did not change the key frame's keypoints");
    }

    private static PoseWindow Window(VideoTask video, long frame, int track, Random random)
    {
        var box = new BoundingBox(100 + frame + (track * 50), 80, 160 + frame + (track * 50), 240);
        var pixels = new byte[3 * 256 * 256];
        random.NextBytes(pixels);
        return new PoseWindow(video, frame, frame * 0.1, track, box, 0.9f, box.ToCropRegion(), tensor(pixels, [1, 3, 256, 256]));
    }
}
