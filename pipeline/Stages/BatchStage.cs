namespace Pipeline.Graph.Stages;

/// <summary>What the batch stage emits: a batch for the pose workers, or a video's closing count for the sink.</summary>
public sealed record PoseJob(PoseBatch? Batch, VideoClosed? Closed);

/// <summary>
/// Groups a video's windows into batches of at most <see cref="PrelabelOptions.MaxPoseBatch"/>, in
/// frame order (the last one marked), and closes the video with the number of batches it had. Batches never mix videos and
/// are cut by count, not by a timer: the pose models' floating-point results depend on the batch
/// they run in, and a re-run must reproduce the same rows bit for bit.
/// </summary>
public sealed class BatchStage(int maxBatch)
{
    private readonly Dictionary<string, (List<PoseWindow> Pending, int Emitted)> videos = [];

    public Task<IEnumerable<PoseJob>> ProcessAsync(WindowMessage input, CancellationToken cancellationToken = default)
    {
        var id = input.Video.VideoId;
        if (!videos.TryGetValue(id, out var state))
        {
            state = ([], 0);
        }

        var output = new List<PoseJob>();
        switch (input)
        {
            case WindowItem item:
                state.Pending.Add(item.Window);
                if (state.Pending.Count >= maxBatch)
                {
                    output.Add(new PoseJob(new PoseBatch(input.Video, state.Pending.ToList()), null));
                    state = ([], state.Emitted + 1);
                }

                videos[id] = state;
                break;
            case WindowsEnd end:
                // The last batch always goes out (empty if need be, without its windows for a failed
                // video), so a worker keeping per-track state flushes or forgets the video.
                if (end.Error is not null)
                {
                    foreach (var w in state.Pending)
                    {
                        w.Crops.Dispose();
                    }

                    state.Pending.Clear();
                }

                output.Add(new PoseJob(new PoseBatch(input.Video, state.Pending.ToList(), Last: true), null));
                state = ([], state.Emitted + 1);

                videos.Remove(id);
                output.Add(new PoseJob(null, new VideoClosed(end.Video, end.Counters, state.Emitted, end.Error)));
                break;
        }

        return Task.FromResult<IEnumerable<PoseJob>>(output);
    }
}
