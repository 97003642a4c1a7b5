using OpenCvSharp;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;

namespace Pipeline.Cli.Report;

/// <summary>A weak track's crop at its worst frame with its skeleton drawn, as an inline JPEG (data: URI).</summary>
public static class TrackThumbnails
{
    /// <summary>Side of the square crop, in pixels: ~5–10 kB as JPEG, so a report's thumbnails stay small.</summary>
    public const int Size = 160;

    /// <summary>The thumbnail, or null when the track's video is not a file reachable here (blob inputs, moved files) or that frame cannot be decoded.</summary>
    public static async Task<string?> TryCreateAsync(WeakTrack track, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(track.VideoUri))
        {
            return null;
        }

        RgbImage frame;
        try
        {
            frame = await StillFrames.ReadAsync(track.VideoUri, checked((int)track.WorstFrame), cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
        {
            // Undecodable frame, or FFmpeg missing: the report goes on without this thumbnail.
            return null;
        }

        var box = new BoundingBox(track.Box[0], track.Box[1], track.Box[2], track.Box[3]);
        var keypoints = Enumerable.Range(0, CocoKeypoints.Count).Select(k => new Keypoint(track.Keypoints[3 * k], track.Keypoints[(3 * k) + 1], track.Keypoints[(3 * k) + 2])).ToArray();
        Overlay.DrawPose(frame, new PersonPose(box, 1, keypoints), track.TrackId);
        var crop = CropSampler.CropImage(frame, box.ToCropRegion(), Size);
        using var rgb = OpenCvImages.View(crop);
        using var bgr = new Mat();
        Cv2.CvtColor(rgb.Mat, bgr, ColorConversionCodes.RGB2BGR);
        Cv2.ImEncode(".jpg", bgr, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 80));
        return "data:image/jpeg;base64," + Convert.ToBase64String(jpeg);
    }
}
