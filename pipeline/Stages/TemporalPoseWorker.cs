using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Sink;
using static TorchSharp.torch;

namespace Pipeline.Graph.Stages;

/// <summary>
/// Runs a temporal model the framework's way: the backbone once per person-frame (each window holds
/// one crop, cut with that frame's own box), each track's recent maps kept on the model's device,
/// and a key frame refined once frame t + δ has passed — its neighbours' maps resampled onto its
/// crop (<see cref="NeighbourAlignment"/>), slots filled by <see cref="WindowSlots"/> at a track's
/// ends and gaps. Ready key frames go through the head in full chunks of <c>maxBatch</c>, fewer than
/// <c>maxBatch</c> of them waiting for the next batch. A video's last batch flushes the key frames still
/// waiting and frees its state, so memory is bounded by the tracks alive at once (plus fewer than
/// <c>maxBatch</c> ready key frames), whatever the video's length. A video's batches
/// must all come to the same worker, in order (the graph routes them so).
/// </summary>
public sealed class TemporalPoseWorker(TemporalPoseModel model, int maxBatch = 8) : IPoseWorker
{
    private readonly Dictionary<string, VideoState> videos = [];

    public TemporalPoseModel Model => model;

    public bool KeepsVideoState => true;

    /// <summary>Person-frames waiting in this worker's state (for the memory-bound tests).</summary>
    public int HeldPersonFrames => videos.Values.Sum(v => v.Tracks.Values.Sum(t => t.Count));

    private sealed record PersonFrame(PoseWindow Window, Tensor Maps);

    private sealed class VideoState
    {
        public Dictionary<int, SortedList<long, PersonFrame>> Tracks { get; } = [];

        public List<PersonFrame> Waiting { get; } = [];

        public long LatestFrame { get; set; } = -1;
    }

    public Task<SinkMessage> ProcessAsync(PoseJob job, CancellationToken cancellationToken = default)
    {
        var batch = job.Batch!;
        try
        {
            var rows = Run(batch);
            if (batch.Last)
            {
                Forget(batch.Video.VideoId);
            }

            return Task.FromResult<SinkMessage>(new PoseResults(batch.Video, rows, null));
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException or ArgumentException)
        {
            Forget(batch.Video.VideoId);
            return Task.FromResult<SinkMessage>(new PoseResults(batch.Video, [], $"pose model {model.Name} failed: {e.Message}"));
        }
        finally
        {
            foreach (var w in batch.Windows)
            {
                w.Crops.Dispose();
            }
        }
    }

    private List<PoseRow> Run(PoseBatch batch)
    {
        if (!videos.TryGetValue(batch.Video.VideoId, out var state))
        {
            videos[batch.Video.VideoId] = state = new VideoState();
        }

        if (batch.Windows.Count > 0)
        {
            Remember(state, batch.Windows);
        }

        // Windows arrive in frame order, so every frame before the latest one is complete.
        var radius = model.Radius;
        var ready = state.Waiting.Where(p => batch.Last || p.Window.FrameIndex + radius < state.LatestFrame).ToList();
        if (!batch.Last)
        {
            // Only full chunks until the video's end: the latest ready key frames wait for the next batch rather than go
            // through the head in a chunk of one or two, where its per-call overhead makes a window cost up to twice as much.
            ready.RemoveRange(ready.Count - (ready.Count % maxBatch), ready.Count % maxBatch);
        }

        state.Waiting.RemoveAll(ready.Contains);
        var rows = new List<PoseRow>(ready.Count);
        foreach (var chunk in ready.Chunk(maxBatch))
        {
            rows.AddRange(Refine(state, chunk));
        }

        Evict(state);
        return rows;
    }

    private void Remember(VideoState state, IReadOnlyList<PoseWindow> windows)
    {
        using var scope = NewDisposeScope();
        var crops = cat(windows.Select(w => w.Crops).ToList(), 0); // each window is one crop [1, 3, S, S]
        var maps = model.RunBackbone(crops);
        for (var i = 0; i < windows.Count; i++)
        {
            var w = windows[i];
            var frame = new PersonFrame(w, maps[i].clone().DetachFromDisposeScope());
            if (!state.Tracks.TryGetValue(w.TrackId, out var track))
            {
                state.Tracks[w.TrackId] = track = [];
            }

            track[w.FrameIndex] = frame;
            state.Waiting.Add(frame);
            state.LatestFrame = Math.Max(state.LatestFrame, w.FrameIndex);
        }
    }

    private List<PoseRow> Refine(VideoState state, IReadOnlyList<PersonFrame> keys)
    {
        var radius = model.Radius;
        var windows = keys.Select(key =>
        {
            var track = state.Tracks[key.Window.TrackId];
            return Enumerable.Range(-radius, (2 * radius) + 1)
                .Select(offset => track[WindowSlots.Frame(track.ContainsKey, key.Window.FrameIndex, offset, radius)])
                .Select(slot => (slot.Window.Region, slot.Maps))
                .ToList();
        }).ToList();
        using var keypoints = model.RefineSlots(windows);
        return PoseWorker.Rows([.. keys.Select(k => k.Window)], keypoints.cpu().data<float>().ToArray());
    }

    // Keeps, per track, only frames a waiting key frame (or a future one) can still use.
    private void Evict(VideoState state)
    {
        var oldestNeeded = (state.Waiting.Count > 0 ? state.Waiting.Min(p => p.Window.FrameIndex) : state.LatestFrame) - model.Radius;
        foreach (var (id, track) in state.Tracks.ToList())
        {
            while (track.Count > 0 && track.Keys[0] < oldestNeeded)
            {
                Dispose(track.Values[0]);
                track.RemoveAt(0);
            }

            if (track.Count == 0)
            {
                state.Tracks.Remove(id);
            }
        }
    }

    private void Forget(string videoId)
    {
        if (videos.Remove(videoId, out var state))
        {
            foreach (var frame in state.Tracks.Values.SelectMany(t => t.Values))
            {
                Dispose(frame);
            }
        }
    }

    private static void Dispose(PersonFrame frame) => frame.Maps.Dispose();
}
