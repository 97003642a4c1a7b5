using Pipeline.Graph.Remote;
using Pipeline.Graph.Stages;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Track;

namespace Pipeline.Graph.Run;

/// <summary>
/// Loads the models once and runs the graph over videos as they come (a list, or a work queue's
/// messages), reporting each video's outcome once its Parquet file is in the sink folder.
/// </summary>
internal static class PrelabelEngine
{
    public static async Task RunAsync(
        IAsyncEnumerable<VideoTask> videos,
        PrelabelOptions options,
        string runId,
        string sinkDirectory,
        RemoteStorage? storage,
        string stagingDirectory,
        Func<VideoOutcome, Task> report,
        CancellationToken cancellationToken)
    {
        var store = ModelStore.Default;
        var devices = options.Devices.Select(Pipeline.Torch.TorchDevices.Parse).ToList();
        using var detector = new NanoDetDetector(store.GraphModel("nanodet"), device: devices[0]);
        var models = new List<IPoseModel>();
        try
        {
            models.AddRange(devices.Select(d => PoseModels.Load(store, options, d)));
        }
        catch
        {
            models.ForEach(m => m.Dispose());
            throw;
        }

        try
        {
            var graph = BuildGraph(detector, models, options, runId, sinkDirectory, storage, stagingDirectory, report, cancellationToken);
            try
            {
                await foreach (var video in videos.WithCancellation(cancellationToken))
                {
                    // A faulted graph (refused credentials) stops taking input: stop feeding it, and let its completion say why.
                    var sent = graph.SendAsync(video, cancellationToken);
                    if (await Task.WhenAny(sent, graph.Completion) != sent || !await sent)
                    {
                        break;
                    }
                }
            }
            finally
            {
                graph.Complete();
            }

            await graph.Completion;
        }
        finally
        {
            foreach (var m in models)
            {
                m.Dispose();
            }
        }
    }

    /// <summary>The graph's stages for these models (the first model names the rows and sets the window shape).</summary>
    internal static PrelabelGraph BuildGraph(
        NanoDetDetector detector,
        IReadOnlyList<IPoseModel> models,
        PrelabelOptions options,
        string runId,
        string sinkDirectory,
        RemoteStorage? storage,
        string stagingDirectory,
        Func<VideoOutcome, Task> report,
        CancellationToken cancellationToken)
    {
        var first = models[0];
        return new PrelabelGraph(
            new FetchStage(storage, stagingDirectory),
            new DecodeStage(options.FrameRate),
            new DetectStage(detector, options),
            new TrackStage(new ByteTrackOptions()),
            new WindowStage(PoseModels.Windows(first, options)),
            new BatchStage(options.MaxPoseBatch),
            [.. models.Select(m => PoseModels.Worker(m, options))],
            new SinkStage(sinkDirectory, PoseModels.RowName(first, options), first.WeightsHash, runId, report, options.FrameRate),
            options,
            cancellationToken);
    }
}
