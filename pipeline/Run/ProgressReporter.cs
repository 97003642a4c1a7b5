using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Graph.Run;

/// <summary>
/// Progress of a run: a live line on a terminal (videos done / total, frames per second, ETA; just
/// videos done when the total is unknown, as for a queue worker), a plain line every
/// <c>logInterval</c> when the output is redirected, nothing with quiet.
/// </summary>
public sealed class ProgressReporter : IAsyncDisposable
{
    private readonly TextWriter output;
    private readonly bool live;
    private readonly bool quiet;
    private readonly TimeSpan interval;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource stop = new();
    private readonly long startFrames = PipelineMetrics.Frames;
    private readonly long startExpected = PipelineMetrics.ExpectedFrames;
    private readonly Task loop;
    private int total = -1; // unknown until SetTotal (a work queue never knows)
    private int finished;

    public ProgressReporter(TextWriter output, bool isTerminal, bool quiet, TimeSpan? logInterval = null)
    {
        this.output = output;
        live = isTerminal;
        this.quiet = quiet;
        interval = live ? TimeSpan.FromMilliseconds(500) : logInterval ?? TimeSpan.FromSeconds(10);
        loop = quiet ? Task.CompletedTask : RunAsync(stop.Token);
    }

    public void SetTotal(int videos) => total = videos;

    public void VideoFinished() => Interlocked.Increment(ref finished);

    public string Line()
    {
        var elapsed = clock.Elapsed.TotalSeconds;
        var frames = PipelineMetrics.Frames - startFrames;
        var fps = elapsed > 0 ? frames / elapsed : 0;
        // Frames still expected in the videos probed so far, scaled up for the videos not yet started.
        var expected = PipelineMetrics.ExpectedFrames - startExpected;
        var started = Math.Max(1, Math.Min(total, finished + 1));
        var remaining = expected > 0 && fps > 0 ? Math.Max(0, (expected * ((double)total / started)) - frames) / fps : double.NaN;
        var eta = finished < total && double.IsFinite(remaining) ? TimeSpan.FromSeconds(remaining).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "--:--:--";
        if (total < 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"videos {finished} done | {frames} frames | {fps:F1} frames/s | elapsed {clock.Elapsed:hh\\:mm\\:ss}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"videos {finished}/{total} | {frames} frames | {fps:F1} frames/s | elapsed {clock.Elapsed:hh\\:mm\\:ss} | ETA {eta}");
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, cancellationToken);
                Write();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Write()
    {
        if (live)
        {
            output.Write("\r" + Line().PadRight(100));
        }
        else
        {
            output.WriteLine("progress: " + Line());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        if (!quiet && live)
        {
            output.WriteLine("\r" + Line().PadRight(100));
        }

        stop.Dispose();
    }
}
