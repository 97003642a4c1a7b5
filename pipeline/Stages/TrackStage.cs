using Pipeline.Stages.Track;

namespace Pipeline.Graph.Stages;

/// <summary>Tracks people through each video with ByteTrack (one tracker per video, ids stable within it).</summary>
public sealed class TrackStage(ByteTrackOptions options)
{
    private readonly Dictionary<string, ByteTracker> trackers = [];

    public Task<VideoEvent> ProcessAsync(VideoEvent input, CancellationToken cancellationToken = default)
    {
        var id = input.Video.VideoId;
        if (input is VideoEndEvent)
        {
            trackers.Remove(id);
            return Task.FromResult(input);
        }

        var frame = (FrameEvent)input;
        if (!trackers.TryGetValue(id, out var tracker))
        {
            trackers[id] = tracker = new ByteTracker(options);
        }

        var people = frame.Detections is { } detections ? tracker.Update(detections, frame.PresentationTime) : tracker.Predict(frame.PresentationTime);
        foreach (var p in people)
        {
            frame.Counters.TrackIds.Add(p.TrackId);
        }

        Run.PipelineMetrics.FrameTracked();

        return Task.FromResult<VideoEvent>(frame with { People = people });
    }
}
