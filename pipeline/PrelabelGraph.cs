using System.Threading.Tasks.Dataflow;
using Pipeline.Graph.Stages;

namespace Pipeline.Graph;

/// <summary>
/// The one place blocks are created and linked: videos → fetch (blobs only) → decode → detect → track →
/// window → batch → pose workers (one per device) → sink, plus the batch stage's closing counts
/// straight to the sink.
/// Every block is bounded; per-item failures travel as records, so no block ever faults on bad input.
/// </summary>
public sealed class PrelabelGraph
{
    private readonly BufferBlock<VideoTask> input;
    private readonly Task completion;

    public PrelabelGraph(FetchStage fetch, DecodeStage decode, DetectStage detect, TrackStage track, WindowStage window, BatchStage batch, IReadOnlyList<IPoseWorker> workers, SinkStage sink, PrelabelOptions options, CancellationToken cancellationToken = default)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        ExecutionDataflowBlockOptions Serial() => new() { BoundedCapacity = options.BoundedCapacity, MaxDegreeOfParallelism = 1, CancellationToken = token };
        var link = new DataflowLinkOptions { PropagateCompletion = true };

        input = new BufferBlock<VideoTask>(new DataflowBlockOptions { BoundedCapacity = options.ParallelVideos, CancellationToken = token });
        // Downloads run ahead of decoding by up to ParallelVideos videos, so FFmpeg rarely waits on the network.
        var fetchBlock = new TransformBlock<VideoTask, VideoTask>(
            v => fetch.ProcessAsync(v, token),
            new ExecutionDataflowBlockOptions { BoundedCapacity = options.ParallelVideos, MaxDegreeOfParallelism = options.ParallelVideos, CancellationToken = token });
        var detectBlock = new TransformManyBlock<VideoEvent, VideoEvent>(e => detect.ProcessAsync(e, token), Serial());
        // Several videos decode at once; their frames interleave downstream (stages keep per-video
        // state). Decoding pushes each frame with SendAsync, so a full detect queue pauses FFmpeg: a
        // TransformManyBlock would buffer a whole video's frames, because bounding does not apply to
        // the items one input's enumeration produces.
        var decodeBlock = new ActionBlock<VideoTask>(
            async v =>
            {
                await foreach (var e in decode.ProcessAsync(v, token))
                {
                    await detectBlock.SendAsync(e, token);
                }
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = options.ParallelVideos, MaxDegreeOfParallelism = options.ParallelVideos, CancellationToken = token });
        var trackBlock = new TransformBlock<VideoEvent, VideoEvent>(e => track.ProcessAsync(e, token), Serial());
        var windowBlock = new TransformManyBlock<VideoEvent, WindowMessage>(e => window.ProcessAsync(e, token), Serial());
        var batchBlock = new TransformManyBlock<WindowMessage, PoseJob>(m => batch.ProcessAsync(m, token), Serial());
        var closedBlock = new TransformBlock<PoseJob, SinkMessage>(j => j.Closed!, Serial());
        var sinkBlock = new ActionBlock<SinkMessage>(m => sink.ProcessAsync(m, token), new ExecutionDataflowBlockOptions { BoundedCapacity = options.BoundedCapacity, CancellationToken = token });
        // Bounded at 1 each, so a batch goes to whichever worker is free.
        var workerBlocks = workers.Select(w => new TransformBlock<PoseJob, SinkMessage>(
            j => w.ProcessAsync(j, token),
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1, MaxDegreeOfParallelism = 1, CancellationToken = token })).ToList();

        input.LinkTo(fetchBlock, link);
        fetchBlock.LinkTo(decodeBlock, link);
        _ = decodeBlock.Completion.ContinueWith(t => ((IDataflowBlock)detectBlock).Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        detectBlock.LinkTo(trackBlock, link);
        trackBlock.LinkTo(windowBlock, link);
        windowBlock.LinkTo(batchBlock, link);
        batchBlock.LinkTo(closedBlock, link, j => j.Closed is not null);
        for (var i = 0; i < workerBlocks.Count; i++)
        {
            // A worker that keeps per-track state gets every batch of its videos (by a stable hash of
            // the video id); stateless ones take whichever batch comes when they are free.
            var index = i;
            Predicate<PoseJob> takes = workers[i].KeepsVideoState
                ? j => j.Batch is not null && WorkerFor(j.Batch.Video.VideoId, workerBlocks.Count) == index
                : j => j.Batch is not null;
            batchBlock.LinkTo(workerBlocks[i], link, takes);
            workerBlocks[i].LinkTo(sinkBlock);
        }

        closedBlock.LinkTo(sinkBlock);
        // Fan-in: the sink completes once the closing counts and every worker are done.
        _ = Task.WhenAll(workerBlocks.Select(w => w.Completion).Append(closedBlock.Completion))
            .ContinueWith(t => ((IDataflowBlock)sinkBlock).Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        // On a fault or a cancellation the blocks end independently, each after the item it is
        // working on. The graph is complete only when all have ended: a pose worker still inside the
        // model when the caller disposes the models corrupts the native heap (seen as an abort after
        // SIGTERM). A block that faults (storage refused) cancels the others, so all do end.
        IDataflowBlock[] blocks = [input, fetchBlock, decodeBlock, detectBlock, trackBlock, windowBlock, batchBlock, closedBlock, .. workerBlocks, sinkBlock];
        completion = CompleteAsync(blocks, stop);
    }

    /// <summary>The worker of a video whose batches must stay together: FNV-1a of its id, the same in every process.</summary>
    internal static int WorkerFor(string videoId, int workers)
    {
        var hash = 2166136261u;
        foreach (var c in videoId)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (int)(hash % (uint)workers);
    }

    // Blocks are listed upstream first, so awaiting this throws the fault where it began.
    private static async Task CompleteAsync(IDataflowBlock[] blocks, CancellationTokenSource stop)
    {
        var stopOnFault = blocks.Select(b => b.Completion.ContinueWith(
            t =>
            {
                if (t.IsFaulted)
                {
                    stop.Cancel();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default)).ToList();
        try
        {
            await Task.WhenAll(blocks.Select(b => b.Completion));
        }
        finally
        {
            await Task.WhenAll(stopOnFault);
            stop.Dispose();
        }
    }

    /// <summary>
    /// Completes when every video posted so far has been committed or recorded as failed, or — after
    /// a cancellation or a fault — once every block has stopped (no stage is still running).
    /// </summary>
    public Task Completion => completion;

    public Task<bool> SendAsync(VideoTask video, CancellationToken cancellationToken = default) => input.SendAsync(video, cancellationToken);

    public void Complete() => input.Complete();
}
