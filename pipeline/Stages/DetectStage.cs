using Pipeline.Stages.Detect;

namespace Pipeline.Graph.Stages;

/// <summary>
/// Runs the person detector on batches of a video's frames (every k-th frame; the others pass with
/// no detections for the tracker to predict). Keeps per-video buffers; releases them at the video's
/// end event. A detector failure fails that video only.
/// </summary>
public sealed class DetectStage(NanoDetDetector detector, PrelabelOptions options)
{
    private readonly Dictionary<string, List<FrameEvent>> pending = [];
    private readonly HashSet<string> failed = [];

    public Task<IEnumerable<VideoEvent>> ProcessAsync(VideoEvent input, CancellationToken cancellationToken = default)
    {
        var output = new List<VideoEvent>();
        var id = input.Video.VideoId;
        if (input is VideoEndEvent end)
        {
            if (!failed.Remove(id))
            {
                output.AddRange(Flush(id, out var error));
                pending.Remove(id);
                output.Add(error is null ? end : end with { Error = end.Error ?? error });
            }
            else
            {
                output.Add(end with { Error = end.Error ?? "detection failed" });
            }

            return Task.FromResult<IEnumerable<VideoEvent>>(output);
        }

        if (failed.Contains(id))
        {
            return Task.FromResult<IEnumerable<VideoEvent>>(output);
        }

        var frame = (FrameEvent)input;
        if (!pending.TryGetValue(id, out var list))
        {
            pending[id] = list = [];
        }

        list.Add(frame);
        if (list.Count(f => f.Index % options.DetectEvery == 0) >= options.DetectBatch)
        {
            output.AddRange(Flush(id, out var error));
            if (error is not null)
            {
                failed.Add(id);
                pending.Remove(id);
                output.Add(new VideoEndEvent(frame.Video, frame.Counters, error));
            }
        }

        return Task.FromResult<IEnumerable<VideoEvent>>(output);
    }

    private List<FrameEvent> Flush(string id, out string? error)
    {
        error = null;
        if (!pending.TryGetValue(id, out var frames) || frames.Count == 0)
        {
            return [];
        }

        pending[id] = [];
        var keyFrames = frames.Where(f => f.Index % options.DetectEvery == 0).ToList();
        var detections = new Dictionary<long, List<Detection>>();
        try
        {
            var results = detector.Detect(keyFrames.Select(f => f.Image).ToList());
            for (var i = 0; i < keyFrames.Count; i++)
            {
                detections[keyFrames[i].Index] = results[i];
            }
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException or ArgumentException)
        {
            error = $"detection failed: {e.Message}";
            return [];
        }

        frames[0].Counters.DetectedFrames += keyFrames.Count;
        frames[0].Counters.Detections += detections.Values.Sum(d => d.Count);
        return frames.Select(f => f with { Detections = detections.GetValueOrDefault(f.Index) }).ToList();
    }
}
