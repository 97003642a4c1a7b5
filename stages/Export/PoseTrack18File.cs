using System.Text.Json;

namespace Pipeline.Stages.Export;

/// <summary>
/// A PoseTrack18 annotation file for one video (the COCO-style format of the PoseTrack18 release
/// and of poseval): `images` one per decoded frame (id, file_name, frame_id, vid_id, nframes,
/// is_labeled, has_no_densepose, width, height, and our frame_index), `annotations` one per row
/// (id, image_id, category_id, track_id, keypoints as x, y, v with v = 1 labelled / 0 not,
/// scores per keypoint, score, bbox, and bbox_head around the derived head points, so the file
/// can serve as poseval's ground truth too), `categories` PoseTrack's person with its 17 keypoint names
/// and skeleton (COCO's limbs). Keypoints are PoseTrack's slots (<see cref="PoseTrackJoints"/>):
/// the eyes are not written, head_bottom and head_top are derived.
/// </summary>
public static class PoseTrack18File
{
    public static Task WriteAsync(string path, ExportVideo video, ExportOptions options, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async stream =>
        {
            await using var json = new Utf8JsonWriter(stream);
            json.WriteStartObject();
            json.WriteStartArray("categories");
            CocoKeypointsFile.WriteCategory(json, PoseTrackJoints.Names, CocoKeypointsFile.Skeleton);
            json.WriteEndArray();

            await JsonArrays.WriteObjectsAsync(json, "images", JsonArrays.Frames(video.Frames.Count), (json, frame) =>
            {
                json.WriteNumber("id", frame + 1);
                json.WriteString("file_name", video.ImageName(options, frame));
                json.WriteNumber("frame_id", frame + 1);
                json.WriteString("vid_id", video.VideoId);
                json.WriteNumber("nframes", video.Frames.Count);
                json.WriteBoolean("is_labeled", true);
                json.WriteBoolean("has_no_densepose", true);
                json.WriteNumber("width", video.Frames.Width);
                json.WriteNumber("height", video.Frames.Height);
                json.WriteNumber("frame_index", frame);
            }, cancellationToken);
            await JsonArrays.WriteObjectsAsync(json, "annotations", video.Rows.Select((row, i) => (row, Id: i + 1)), (json, a) =>
            {
                var joints = PoseTrackJoints.FromCoco(a.row.Keypoints);
                json.WriteNumber("id", a.Id);
                json.WriteNumber("image_id", a.row.FrameIndex + 1);
                json.WriteNumber("category_id", 1);
                json.WriteNumber("track_id", a.row.TrackId);
                CocoKeypointsFile.WriteKeypoints(json, joints, options, labelled: 1);
                JsonArrays.WriteNumbers(json, "scores", joints.Select(k => k.Score));
                json.WriteNumber("score", a.row.Keypoints.Average(k => k.Score));
                CocoKeypointsFile.WriteBox(json, a.row.Box);
                JsonArrays.WriteNumbers(json, "bbox_head", PoseTrackJoints.HeadBox(joints));
            }, cancellationToken);
            json.WriteEndObject();
        }, cancellationToken);

    /// <summary>Reads a file written by <see cref="WriteAsync"/>: keypoints in PoseTrack's slots, null where v = 0.</summary>
    public static async Task<IReadOnlyList<ExportedPerson>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var root = document.RootElement;
        var names = root.GetProperty("categories")[0].GetProperty("keypoints").EnumerateArray().Select(n => n.GetString()).ToArray();
        if (!names.SequenceEqual(PoseTrackJoints.Names))
        {
            throw new InvalidDataException($"{path}: not PoseTrack18 keypoints ({string.Join(", ", names.Take(3))}…)");
        }

        var images = root.GetProperty("images").EnumerateArray().ToDictionary(
            i => i.GetProperty("id").GetInt64(),
            i => (Video: i.GetProperty("vid_id").GetString() ?? "", Frame: i.GetProperty("frame_index").GetInt64()));
        return [.. root.GetProperty("annotations").EnumerateArray().Select(a =>
        {
            var (video, frame) = images[a.GetProperty("image_id").GetInt64()];
            return new ExportedPerson(video, frame, a.GetProperty("track_id").GetInt32(), CocoKeypointsFile.ReadBox(a), CocoKeypointsFile.ReadKeypoints(a));
        })];
    }
}
