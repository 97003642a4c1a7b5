using System.Globalization;
using System.Text.Json;

namespace Pipeline.Stages.Decode;

/// <summary>What ffprobe says about a file's first video stream.</summary>
public sealed record VideoInfo(string Path, string Container, string Codec, int Width, int Height, int Rotation, double FrameRate, double DurationSeconds, long? FrameCount)
{
    /// <summary>The displayed size after honouring the rotation metadata.</summary>
    public (int Width, int Height) DisplaySize => Math.Abs(Rotation) % 180 == 90 ? (Height, Width) : (Width, Height);
}

/// <summary>Runs ffprobe; files that are unreadable or hold no video stream become clear errors.</summary>
public static class VideoProbe
{
    public static string Executable => Environment.GetEnvironmentVariable("PIPELINE_FFPROBE") is { Length: > 0 } path ? path : "ffprobe";

    /// <param name="path">A video file, or a folder of numbered images: probed as its first image, with <paramref name="frameRate"/> and its image count.</param>
    public static async Task<VideoInfo> ProbeAsync(string path, CancellationToken cancellationToken = default, double frameRate = FrameFolder.DefaultFrameRate)
    {
        if (Directory.Exists(path))
        {
            var images = FrameFolder.Frames(path);
            if (images.Count == 0)
            {
                throw new InvalidDataException($"{path}: a folder without images ({string.Join(", ", FrameFolder.ImageExtensions)}) is not a video");
            }

            var first = await ProbeAsync(images[0], cancellationToken);
            return first with { Path = path, Container = "frame folder", FrameRate = frameRate, DurationSeconds = images.Count / frameRate, FrameCount = images.Count };
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        if (new FileInfo(path).Length == 0)
        {
            throw new InvalidDataException($"{path}: the file is empty (0 bytes)");
        }

        using var process = FfmpegProcess.Start(
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:stream_side_data=rotation:stream_tags=rotate:format=format_name,duration", "-of", "json", path],
            executable: Executable);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidDataException($"{path}: not a readable media file: {FfmpegProcess.Tail(await stderr)}");
        }

        using var json = JsonDocument.Parse(await stdout);
        var streams = json.RootElement.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
        if (streams.Count == 0)
        {
            throw new InvalidDataException($"{path}: the file has no video stream");
        }

        var stream = streams[0];
        var format = json.RootElement.GetProperty("format");
        var rotation = 0;
        if (stream.TryGetProperty("side_data_list", out var sideData))
        {
            foreach (var item in sideData.EnumerateArray())
            {
                if (item.TryGetProperty("rotation", out var r))
                {
                    rotation = r.GetInt32();
                }
            }
        }
        else if (stream.TryGetProperty("tags", out var tags) && tags.TryGetProperty("rotate", out var rotate))
        {
            rotation = int.Parse(rotate.GetString()!, CultureInfo.InvariantCulture);
        }

        var width = stream.TryGetProperty("width", out var w) ? w.GetInt32() : 0;
        var height = stream.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
        if (width <= 0 || height <= 0)
        {
            throw new InvalidDataException($"{path}: the video stream has no frame size");
        }

        return new VideoInfo(
            path,
            format.TryGetProperty("format_name", out var f) ? f.GetString()! : "unknown",
            stream.TryGetProperty("codec_name", out var c) ? c.GetString()! : "unknown",
            width,
            height,
            rotation,
            Rate(stream, "avg_frame_rate") ?? Rate(stream, "r_frame_rate") ?? 0,
            Number(stream, "duration") ?? Number(format, "duration") ?? 0,
            stream.TryGetProperty("nb_frames", out var n) && long.TryParse(n.GetString(), out var frames) ? frames : null);
    }

    private static double? Rate(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var value) || value.GetString() is not { } text)
        {
            return null;
        }

        var parts = text.Split('/');
        return parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var a) && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var b) && b != 0 && a != 0 ? a / b : null;
    }

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && double.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var d) ? d : null;
}
