using Pipeline.Stages.Sink;

namespace Pipeline.Graph.Stages;

/// <summary>
/// Collects each video's rows and commits its Parquet file once all its batches are in (the batch
/// stage says how many). A video that failed anywhere is recorded as failed and writes nothing. The
/// report callback runs before the next message: that is where a run commits the file to its
/// output and records it, so a video is never reported done before its results are safe. Rows of a
/// frame-folder input get their image's file name (frame_name), found from their presentation time.
/// </summary>
public sealed class SinkStage(string outputDirectory, string model, string weightsHash, string runId, Func<VideoOutcome, Task> report, double frameRate = Pipeline.Stages.Decode.FrameFolder.DefaultFrameRate)
{
    private readonly Dictionary<string, VideoState> videos = [];

    private sealed class VideoState
    {
        public List<PoseRow> Rows { get; } = [];

        public int Received { get; set; }

        public string? Error { get; set; }

        public VideoClosed? Closed { get; set; }
    }

    public static string OutputPath(string outputDirectory, string videoId) => Path.Combine(outputDirectory, videoId + ".parquet");

    public async Task ProcessAsync(SinkMessage input, CancellationToken cancellationToken = default)
    {
        var id = input.Video.VideoId;
        if (!videos.TryGetValue(id, out var state))
        {
            videos[id] = state = new VideoState();
        }

        switch (input)
        {
            case PoseResults results:
                state.Received++;
                state.Error ??= results.Error;
                state.Rows.AddRange(results.Rows);
                break;
            case VideoClosed closed:
                state.Closed = closed;
                state.Error ??= closed.Error;
                break;
        }

        if (state.Closed is { } done && state.Received == done.Batches)
        {
            videos.Remove(id);
            await report(await CommitAsync(done, state, cancellationToken));
        }
    }

    private IEnumerable<PoseRow> Named(VideoTask video, List<PoseRow> rows)
    {
        if (!Directory.Exists(video.LocalPath))
        {
            return rows;
        }

        var frames = Pipeline.Stages.Decode.FrameFolder.Frames(video.LocalPath);
        return rows.Select(r => r with { FrameName = Pipeline.Stages.Decode.FrameFolder.NameAt(frames, r.PresentationTime, frameRate) });
    }

    private async Task<VideoOutcome> CommitAsync(VideoClosed closed, VideoState state, CancellationToken cancellationToken)
    {
        var c = closed.Counters;
        var seconds = (DateTimeOffset.UtcNow - c.Started).TotalSeconds;
        if (state.Error is not null)
        {
            return new VideoOutcome(closed.Video, "failed", state.Error, c.Decode.Frames, c.Decode.UndecodableFrames, c.TrackIds.Count, 0, seconds, null);
        }

        var path = OutputPath(outputDirectory, closed.Video.VideoId);
        try
        {
            var rows = await ParquetVideoWriter.WriteAsync(path, closed.Video.VideoId, closed.Video.Uri, Named(closed.Video, state.Rows), model, weightsHash, runId, cancellationToken);
            return new VideoOutcome(closed.Video, "done", null, c.Decode.Frames, c.Decode.UndecodableFrames, c.TrackIds.Count, rows, seconds, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new VideoOutcome(closed.Video, "failed", $"cannot write {path}: {e.Message}", c.Decode.Frames, c.Decode.UndecodableFrames, c.TrackIds.Count, 0, seconds, null);
        }
    }
}
