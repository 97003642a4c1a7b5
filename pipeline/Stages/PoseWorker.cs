using Pipeline.Stages.Pose;
using Pipeline.Stages.Sink;
using static TorchSharp.torch;

namespace Pipeline.Graph.Stages;

/// <summary>What the graph's pose workers do: a batch of one video's windows in, its rows (or an error record) out.</summary>
public interface IPoseWorker
{
    /// <summary>Whether the worker keeps per-video state between batches, so a video's batches must all reach it.</summary>
    bool KeepsVideoState { get; }

    Task<SinkMessage> ProcessAsync(PoseJob job, CancellationToken cancellationToken = default);
}

/// <summary>
/// Runs one pose model (on one device) over batches of windows; keypoints come back in frame
/// pixels. A failing batch becomes an error result for its video, not an exception.
/// </summary>
public sealed class PoseWorker(IPoseModel model) : IPoseWorker
{
    public IPoseModel Model => model;

    public bool KeepsVideoState => false;

    public Task<SinkMessage> ProcessAsync(PoseJob job, CancellationToken cancellationToken = default)
    {
        var batch = job.Batch!;
        try
        {
            return Task.FromResult<SinkMessage>(new PoseResults(batch.Video, Run(batch), null));
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException or ArgumentException)
        {
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
        if (batch.Windows.Count == 0)
        {
            return [];
        }

        using var scope = NewDisposeScope();
        var windows = stack(batch.Windows.Select(w => w.Crops).ToList()).to(model.Device).to(float32);
        return Rows(batch.Windows, model.Predict(windows).cpu().data<float>().ToArray());
    }

    /// <summary>Rows for windows from keypoints [N, 17, 3] (x, y, score; crop-normalised), flattened.</summary>
    internal static List<PoseRow> Rows(IReadOnlyList<PoseWindow> windows, float[] keypoints)
    {
        var rows = new List<PoseRow>(windows.Count);
        for (var i = 0; i < windows.Count; i++)
        {
            var w = windows[i];
            var points = new Keypoint[CocoKeypoints.Count];
            for (var k = 0; k < CocoKeypoints.Count; k++)
            {
                var o = ((i * CocoKeypoints.Count) + k) * 3;
                points[k] = new Keypoint(w.Region.X1 + (keypoints[o] * w.Region.Width), w.Region.Y1 + (keypoints[o + 1] * w.Region.Height), keypoints[o + 2]);
            }

            rows.Add(new PoseRow(w.FrameIndex, w.PresentationTime, w.TrackId, w.Box, w.BoxScore, points));
        }

        return rows;
    }
}
