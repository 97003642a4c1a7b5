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

    public PrelabelGraph(FetchStage fetch, DecodeStage decode, DetectStage detect, TrackStage track, WindowStage window, BatchStage batch, IReadOnlyList<PoseWorker> workers, SinkStage sink, PrelabelOptions options, CancellationToken cancellationToken = default)
    {
        ExecutionDataflowBlockOptions Serial() => new() { BoundedCapacity = options.BoundedCapacity, MaxDegreeOfParallelism = 1, CancellationToken = cancellationToken };
        var link = new DataflowLinkOptions { PropagateCompletion = true };

        input = new BufferBlock<VideoTask>(new DataflowBlockOptions { BoundedCapacity = options.ParallelVideos, CancellationToken = cancellationToken });
        // Downloads run ahead of decoding by up to ParallelVideos videos, so FFmpeg rarely waits on the network.
        var fetchBlock = new TransformBlock<VideoTask, VideoTask>(
            v => fetch.ProcessAsync(v, cancellationToken),
            new ExecutionDataflowBlockOptions { BoundedCapacity = options.ParallelVideos, MaxDegreeOfParallelism = options.ParallelVideos, CancellationToken = cancellationToken });
        var detectBlock = new TransformManyBlock<VideoEvent, VideoEvent>(e => detect.ProcessAsync(e, cancellationToken), Serial());
        // Several videos decode at once; their frames interleave downstream (stages keep per-video
        // state). Decoding pushes each frame with SendAsync, so a full detect queue pauses FFmpeg: a
        // TransformManyBlock would buffer a whole video's frames, because bounding does not apply to
        // the items one input's enumeration produces.
        var decodeBlock = new ActionBlock<VideoTask>(
            async v =>
            {
                await foreach (var e in decode.ProcessAsync(v, cancellationToken))
                {
                    await detectBlock.SendAsync(e, cancellationToken);
                }
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = options.ParallelVideos, MaxDegreeOfParallelism = options.ParallelVideos, CancellationToken = cancellationToken });
        var trackBlock = new TransformBlock<VideoEvent, VideoEvent>(e => track.ProcessAsync(e, cancellationToken), Serial());
        var windowBlock = new TransformManyBlock<VideoEvent, WindowMessage>(e => window.ProcessAsync(e, cancellationToken), Serial());
        var batchBlock = new TransformManyBlock<WindowMessage, PoseJob>(m => batch.ProcessAsync(m, cancellationToken), Serial());
        var closedBlock = new TransformBlock<PoseJob, SinkMessage>(j => j.Closed!, Serial());
        var sinkBlock = new ActionBlock<SinkMessage>(m => sink.ProcessAsync(m, cancellationToken), new ExecutionDataflowBlockOptions { BoundedCapacity = options.BoundedCapacity, CancellationToken = cancellationToken });
        // Bounded at 1 each, so a batch goes to whichever worker is free.
        var workerBlocks = workers.Select(w => new TransformBlock<PoseJob, SinkMessage>(
            j => w.ProcessAsync(j, cancellationToken),
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1, MaxDegreeOfParallelism = 1, CancellationToken = cancellationToken })).ToList();

        input.LinkTo(fetchBlock, link);
        fetchBlock.LinkTo(decodeBlock, link);
        _ = decodeBlock.Completion.ContinueWith(t => ((IDataflowBlock)detectBlock).Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        detectBlock.LinkTo(trackBlock, link);
        trackBlock.LinkTo(windowBlock, link);
        windowBlock.LinkTo(batchBlock, link);
        batchBlock.LinkTo(closedBlock, link, j => j.Closed is not null);
        foreach (var worker in workerBlocks)
        {
            batchBlock.LinkTo(worker, link, j => j.Batch is not null);
            worker.LinkTo(sinkBlock);
        }

        closedBlock.LinkTo(sinkBlock);
        // Fan-in: the sink completes once the closing counts and every worker are done.
        _ = Task.WhenAll(workerBlocks.Select(w => w.Completion).Append(closedBlock.Completion))
            .ContinueWith(t => ((IDataflowBlock)sinkBlock).Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        completion = Task.WhenAll(sinkBlock.Completion, fetchBlock.Completion, decodeBlock.Completion, batchBlock.Completion);
    }

    /// <summary>Completes when every video posted so far has been committed or recorded as failed.</summary>
    public Task Completion => completion;

    public Task<bool> SendAsync(VideoTask video, CancellationToken cancellationToken = default) => input.SendAsync(video, cancellationToken);

    public void Complete() => input.Complete();
}
