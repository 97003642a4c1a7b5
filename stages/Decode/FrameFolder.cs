using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Stages.Decode;

/// <summary>
/// A folder of numbered images (as PoseTrack ships its sequences) read as one video: its frames
/// are the image files in the order of the number in their names (then by name), decoded by FFmpeg's
/// concat demuxer at a given frame rate, so frame i has presentation time i / rate. A frame keeps
/// its file name: <see cref="NameAt"/> maps a presentation time back to it, which stays right when an
/// unreadable image is skipped (the images after it keep their times).
/// </summary>
public static partial class FrameFolder
{
    /// <summary>Frames per second when none is given: PoseTrack's videos run at about 25–30, and the tracker's timeouts are in seconds.</summary>
    public const double DefaultFrameRate = 25;

    public static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp"];

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    public static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>A folder directly holding at least one image.</summary>
    public static bool IsFrameFolder(string path) => Directory.Exists(path) && Directory.EnumerateFiles(path).Any(IsImage);

    /// <summary>The folder's images in frame order: by the last number in the name, then by name (ordinal).</summary>
    public static IReadOnlyList<string> Frames(string folder) =>
        [.. Directory.EnumerateFiles(folder).Where(IsImage)
            .Select(f => (Path: f, Number: Digits().Matches(Path.GetFileNameWithoutExtension(f)) is { Count: > 0 } m ? decimal.Parse(m[^1].Value, CultureInfo.InvariantCulture) : decimal.MaxValue))
            .OrderBy(f => f.Number).ThenBy(f => Path.GetFileName(f.Path), StringComparer.Ordinal)
            .Select(f => f.Path)];

    /// <summary>
    /// An ffconcat list of the frames, each shown for 1 / rate seconds, each image opened at that
    /// frame rate (its time base then holds the exact steps; at the image demuxer's default of 25 a
    /// 30 fps folder would give two frames the same time).
    /// </summary>
    public static string ConcatList(IReadOnlyList<string> frames, double frameRate)
    {
        var list = new StringBuilder("ffconcat version 1.0\n");
        var duration = (1 / frameRate).ToString("R", CultureInfo.InvariantCulture);
        foreach (var frame in frames)
        {
            list.Append("file '").Append(Path.GetFullPath(frame).Replace("'", @"'\''", StringComparison.Ordinal)).Append("'\n");
            list.Append("option framerate ").Append(frameRate.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            list.Append("duration ").Append(duration).Append('\n');
        }

        return list.ToString();
    }

    /// <summary>Frame time snapped to the grid i / rate (FFmpeg prints times to six digits).</summary>
    public static double Snap(double presentationTime, double frameRate) => Math.Round(presentationTime * frameRate) / frameRate;

    /// <summary>The file name of the frame shown at <paramref name="presentationTime"/>, or "" past the list.</summary>
    public static string NameAt(IReadOnlyList<string> frames, double presentationTime, double frameRate)
    {
        var position = (long)Math.Round(presentationTime * frameRate);
        return position >= 0 && position < frames.Count ? Path.GetFileName(frames[(int)position]) : "";
    }
}
