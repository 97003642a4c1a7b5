using System.Runtime.CompilerServices;
using Pipeline.Stages.Decode;

namespace Pipeline.Graph.Stages;

/// <summary>
/// Probes and decodes one video into frame events followed by one end event. A file that cannot be
/// read, holds no video, or is cut short (or a blob that could not be fetched) ends with an end event
/// carrying the reason, never an exception. A downloaded copy is deleted once decoded. A folder of
/// numbered images is decoded as one video at <paramref name="frameRate"/> frames per second.
/// </summary>
public sealed class DecodeStage(double frameRate = FrameFolder.DefaultFrameRate)
{
    public async IAsyncEnumerable<VideoEvent> ProcessAsync(VideoTask video, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var counters = new VideoCounters();
        string? error = video.Error;
        VideoInfo? info = null;
        try
        {
            if (error is null)
            {
                info = await VideoProbe.ProbeAsync(video.LocalPath, cancellationToken, frameRate);
                Run.PipelineMetrics.VideoProbed(info.FrameCount ?? (long)Math.Round(info.DurationSeconds * info.FrameRate));
            }
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or InvalidOperationException or IOException)
        {
            error = e.Message;
        }

        if (info is not null)
        {
            var frames = VideoDecoder.DecodeAsync(video.LocalPath, counters.Decode, cancellationToken, frameRate).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    FrameEvent? next = null;
                    try
                    {
                        if (!await frames.MoveNextAsync())
                        {
                            break;
                        }

                        var f = frames.Current;
                        next = new FrameEvent(video, counters, f.Index, f.PresentationTime, f.Image);
                    }
                    catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or InvalidOperationException)
                    {
                        error = e.Message;
                    }

                    if (next is null)
                    {
                        break;
                    }

                    yield return next;
                }
            }
            finally
            {
                await frames.DisposeAsync();
                DeleteStagedCopy(video);
            }

            error ??= Truncation(info, counters.Decode);
        }

        DeleteStagedCopy(video);
        if (video.IsStagedCopy && error is not null)
        {
            error = error.Replace(video.LocalPath, video.Uri, StringComparison.Ordinal); // name the blob, not the scratch copy
        }

        yield return new VideoEndEvent(video, counters, error);
    }

    // A downloaded blob is needed only until its frames are out; the archive keeps the original.
    private static void DeleteStagedCopy(VideoTask video)
    {
        if (video.IsStagedCopy && File.Exists(video.LocalPath))
        {
            File.Delete(video.LocalPath);
        }
    }

    // A container that promises N frames but yields far fewer (with decode errors) was cut short.
    private static string? Truncation(VideoInfo info, DecodeStatistics statistics)
    {
        if (info.FrameCount is { } expected && expected > 0 && statistics.UndecodableFrames > 0 && statistics.Frames < expected * 0.9)
        {
            return $"{info.Path}: truncated or damaged: decoded {statistics.Frames} of {expected} frames ({statistics.UndecodableFrames} decode errors)";
        }

        return null;
    }
}
