using System.Globalization;
using System.Text;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Decode;

/// <summary>Single frames in and out through FFmpeg: one frame of a video or image, and PNG files.</summary>
public static class StillFrames
{
    /// <summary>Decodes frame <paramref name="index"/> (0-based, in decode order) of a video, an image file, or a folder of numbered images (<see cref="FrameFolder"/>'s order).</summary>
    public static async Task<RgbImage> ReadAsync(string path, int index = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (FrameFolder.IsFrameFolder(path))
        {
            var frames = FrameFolder.Frames(path);
            return index < frames.Count
                ? await ReadAsync(frames[index], 0, cancellationToken)
                : throw new InvalidDataException($"{path}: cannot decode frame {index}: the folder has {frames.Count} images");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file or folder of images", path);
        }

        using var process = FfmpegProcess.Start(
            ["-v", "error", "-nostdin", "-i", path, "-vf", $"select=eq(n\\,{index})", "-frames:v", "1", "-f", "image2pipe", "-vcodec", "ppm", "-"]);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var output = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var errors = await stderr;
        if (output.Length == 0)
        {
            var reason = process.ExitCode != 0 ? FfmpegProcess.Tail(errors) : $"it has no frame {index}";
            throw new InvalidDataException($"{path}: cannot decode frame {index}: {reason}");
        }

        return ParsePpm(output.ToArray(), path);
    }

    private static RgbImage ParsePpm(byte[] data, string source)
    {
        // "P6" whitespace width whitespace height whitespace maxval single-whitespace pixels
        var fields = new List<int>();
        var position = 2;
        if (data.Length < 2 || data[0] != 'P' || data[1] != '6')
        {
            throw new InvalidDataException($"{source}: FFmpeg did not return a PPM frame");
        }

        while (fields.Count < 3)
        {
            while (char.IsWhiteSpace((char)data[position]))
            {
                position++;
            }

            var start = position;
            while (!char.IsWhiteSpace((char)data[position]))
            {
                position++;
            }

            fields.Add(int.Parse(Encoding.ASCII.GetString(data, start, position - start), CultureInfo.InvariantCulture));
        }

        position++;
        var (width, height) = (fields[0], fields[1]);
        if (fields[2] != 255 || data.Length - position < width * height * 3)
        {
            throw new InvalidDataException($"{source}: unexpected PPM frame ({width}x{height}, maxval {fields[2]})");
        }

        return new RgbImage(width, height, data.AsSpan(position, width * height * 3).ToArray());
    }

    /// <summary>Writes an image as PNG.</summary>
    public static async Task WritePngAsync(RgbImage image, string path, CancellationToken cancellationToken = default)
    {
        using var process = FfmpegProcess.Start(
            ["-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{image.Width}x{image.Height}", "-i", "-", "-y", path], redirectInput: true);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.BaseStream.WriteAsync(image.Pixels, cancellationToken);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new IOException($"{path}: cannot write PNG: {FfmpegProcess.Tail(await stderr)}");
        }
    }
}
