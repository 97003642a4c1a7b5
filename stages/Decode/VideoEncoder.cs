using System.Diagnostics;
using System.Globalization;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Decode;

/// <summary>Encodes RGB frames to an H.264 MP4 through an FFmpeg process.</summary>
public sealed class VideoEncoder : IAsyncDisposable
{
    private readonly Process process;
    private readonly Task<string> errors;
    private readonly string path;

    public VideoEncoder(string path, int width, int height, double frameRate)
    {
        this.path = path;
        process = FfmpegProcess.Start(
            ["-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-r", frameRate.ToString("R", CultureInfo.InvariantCulture), "-i", "-",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-y", path],
            redirectInput: true);
        errors = process.StandardError.ReadToEndAsync();
    }

    public Task WriteAsync(RgbImage frame, CancellationToken cancellationToken = default) =>
        process.StandardInput.BaseStream.WriteAsync(frame.Pixels, cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var stderr = await errors;
        var exitCode = process.ExitCode;
        process.Dispose();
        if (exitCode != 0)
        {
            throw new IOException($"{path}: FFmpeg could not encode the video: {FfmpegProcess.Tail(stderr)}");
        }
    }
}
