using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Decode;

/// <summary>One decoded frame: its index in decode order, its presentation time in seconds, the pixels.</summary>
public sealed record DecodedFrame(long Index, double PresentationTime, RgbImage Image);

/// <summary>Counts for one decoded video.</summary>
public sealed class DecodeStatistics
{
    public long Frames { get; set; }

    /// <summary>Frames FFmpeg reported as undecodable (skipped).</summary>
    public long UndecodableFrames { get; set; }
}

/// <summary>
/// Decodes a video to RGB frames through one FFmpeg process: every decoded frame is passed through
/// (no frame-rate conversion, so variable frame rates keep their timing), rotation metadata is
/// applied (FFmpeg's autorotate), and each frame's exact presentation time comes from FFmpeg's
/// showinfo filter. Frames FFmpeg cannot decode are skipped and counted.
/// </summary>
public static partial class VideoDecoder
{
    [GeneratedRegex(@"\bn:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:(\S+).*?\bs:(\d+)x(\d+)")]
    private static partial Regex ShowInfoLine();

    [GeneratedRegex(@"error while decoding|corrupt|concealing|Invalid data|illegal|damaged", RegexOptions.IgnoreCase)]
    private static partial Regex DecodeErrorLine();

    /// <param name="path">A video file, or a folder of numbered images (<see cref="FrameFolder"/>).</param>
    /// <param name="frameRate">A frame folder's frames per second (videos keep their own timing).</param>
    public static async IAsyncEnumerable<DecodedFrame> DecodeAsync(string path, DecodeStatistics statistics, [EnumeratorCancellation] CancellationToken cancellationToken = default, double frameRate = FrameFolder.DefaultFrameRate)
    {
        string[] input = [path];
        string? list = null;
        if (Directory.Exists(path))
        {
            list = Path.Combine(Path.GetTempPath(), $"frames-{Guid.NewGuid():N}.ffconcat");
            input = ["-f", "concat", "-safe", "0", list];
        }

        System.Diagnostics.Process started;
        try
        {
            if (list is not null)
            {
                await File.WriteAllTextAsync(list, FrameFolder.ConcatList(FrameFolder.Frames(path), frameRate), cancellationToken);
            }

            started = FfmpegProcess.Start(
                ["-hide_banner", "-nostdin", "-loglevel", "info", .. input.SkipLast(1), "-i", input[^1], "-map", "0:v:0", "-fps_mode", "passthrough", "-vf", "showinfo", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
        }
        catch when (list is not null)
        {
            // The list would outlive a cancelled write or a failed start.
            File.Delete(list);
            throw;
        }

        using var process = started;
        var frameInfo = Channel.CreateUnbounded<(long Index, double Time, int Width, int Height)>();
        var errorLines = new List<string>();
        var reader = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(cancellationToken) is { } line)
            {
                var match = ShowInfoLine().Match(line);
                if (match.Success)
                {
                    await frameInfo.Writer.WriteAsync((
                        long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                        double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture),
                        int.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture),
                        int.Parse(match.Groups[5].Value, CultureInfo.InvariantCulture)), cancellationToken);
                }
                else if (DecodeErrorLine().IsMatch(line))
                {
                    statistics.UndecodableFrames++;
                    errorLines.Add(line);
                }
                else if (line.Contains("rror", StringComparison.Ordinal))
                {
                    errorLines.Add(line);
                }
            }

            frameInfo.Writer.Complete();
        }, cancellationToken);

        var stdout = process.StandardOutput.BaseStream;
        try
        {
            await foreach (var info in frameInfo.Reader.ReadAllAsync(cancellationToken))
            {
                var pixels = new byte[info.Width * info.Height * 3];
                await stdout.ReadExactlyAsync(pixels, cancellationToken);
                statistics.Frames++;
                var time = list is null ? info.Time : FrameFolder.Snap(info.Time, frameRate);
                yield return new DecodedFrame(info.Index, time, new RgbImage(info.Width, info.Height, pixels));
            }

            await reader;
            await process.WaitForExitAsync(cancellationToken);
            if (statistics.Frames == 0)
            {
                throw new InvalidDataException($"{path}: no frame could be decoded: {string.Join(" | ", errorLines.TakeLast(3))}");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            if (list is not null)
            {
                File.Delete(list);
            }
        }
    }
}
