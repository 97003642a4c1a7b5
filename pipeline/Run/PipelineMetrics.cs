using System.Diagnostics.Metrics;

namespace Pipeline.Graph.Run;

/// <summary>Counters of the prelabel graph, published through System.Diagnostics.Metrics ("Pipeline.Prelabel").</summary>
public static class PipelineMetrics
{
    public static readonly Meter Meter = new("Pipeline.Prelabel");
    private static readonly Counter<long> FramesCounter = Meter.CreateCounter<long>("pipeline.frames", "frames", "Frames decoded and tracked");
    private static readonly Counter<long> RowsCounter = Meter.CreateCounter<long>("pipeline.rows", "rows", "Pose rows committed to Parquet");
    private static readonly Counter<long> VideosCounter = Meter.CreateCounter<long>("pipeline.videos", "videos", "Videos finished, by status");
    private static long frames;
    private static long expectedFrames;

    /// <summary>Frames tracked so far in this process (for progress).</summary>
    public static long Frames => Interlocked.Read(ref frames);

    /// <summary>Frames the probed videos announce (frame count, else duration × rate), for the ETA.</summary>
    public static long ExpectedFrames => Interlocked.Read(ref expectedFrames);

    public static void VideoProbed(long frameCount) => Interlocked.Add(ref expectedFrames, frameCount);

    public static void FrameTracked()
    {
        Interlocked.Increment(ref frames);
        FramesCounter.Add(1);
    }

    public static void VideoFinished(string status, long rows)
    {
        VideosCounter.Add(1, new KeyValuePair<string, object?>("status", status));
        RowsCounter.Add(rows);
    }
}
