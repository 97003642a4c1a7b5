using System.Text.Json;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Export;

/// <summary>
/// COCO keypoints JSON (person_keypoints_*.json), one file per video: `images` holds one entry per
/// decoded frame (id = frame index + 1, file names from <see cref="ExportOptions.ImageName"/>),
/// `annotations` one per row (keypoints as x, y, v with v = 2 labelled and 0, at 0, 0, not
/// labelled; bbox [x, y, w, h]; area; iscrowd 0; num_keypoints; an empty segmentation, which
/// CVAT's importer requires), `categories` COCO's person with
/// its 17 keypoints and 19-limb skeleton. Fields beyond COCO's, which importers ignore and our
/// reader uses: image `video_id`, `frame_index`; annotation `track_id`, `score` (mean keypoint
/// score, the person score COCO results carry), `keypoint_scores`, `box_score`.
/// </summary>
public static class CocoKeypointsFile
{
    /// <summary>COCO's person skeleton, 1-based keypoint indices, as in person_keypoints_val2017.json.</summary>
    public static readonly int[][] Skeleton =
        [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8], [7, 9], [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]];

    public static Task WriteAsync(string path, ExportVideo video, ExportOptions options, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async stream =>
        {
            await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
            json.WriteStartObject();
            json.WriteStartObject("info");
            json.WriteString("description", $"pose pre-labels of {video.VideoId} ({video.Model})");
            json.WriteString("url", video.VideoUri);
            json.WriteString("version", "1.0");
            json.WriteString("contributor", "pipeline export");
            json.WriteString("date_created", DateTimeOffset.UtcNow.ToString("yyyy/MM/dd", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteStartArray("licenses");
            json.WriteEndArray();

            await JsonArrays.WriteObjectsAsync(json, "images", JsonArrays.Frames(video.Frames.Count), (json, frame) =>
            {
                json.WriteNumber("id", frame + 1);
                json.WriteString("file_name", video.ImageName(options, frame));
                json.WriteNumber("width", video.Frames.Width);
                json.WriteNumber("height", video.Frames.Height);
                json.WriteString("video_id", video.VideoId);
                json.WriteNumber("frame_index", frame);
            }, cancellationToken);
            await JsonArrays.WriteObjectsAsync(json, "annotations", video.Rows.Select((row, i) => (row, Id: i + 1)), (json, a) =>
            {
                json.WriteNumber("id", a.Id);
                json.WriteNumber("image_id", a.row.FrameIndex + 1);
                json.WriteNumber("category_id", 1);
                WriteKeypoints(json, a.row.Keypoints, options);
                json.WriteNumber("num_keypoints", a.row.Keypoints.Count(options.Keeps));
                WriteBox(json, a.row.Box);
                json.WriteNumber("area", a.row.Box.Area);
                json.WriteNumber("iscrowd", 0);
                json.WriteStartArray("segmentation");
                json.WriteEndArray();
                json.WriteNumber("track_id", a.row.TrackId);
                json.WriteNumber("score", a.row.Keypoints.Average(k => k.Score));
                JsonArrays.WriteNumbers(json, "keypoint_scores", a.row.Keypoints.Select(k => k.Score));
                json.WriteNumber("box_score", a.row.BoxScore);
            }, cancellationToken);

            json.WriteStartArray("categories");
            WriteCategory(json, CocoKeypoints.Names, Skeleton);
            json.WriteEndArray();
            json.WriteEndObject();
        }, cancellationToken);

    /// <summary>
    /// x, y, v triples: v = <paramref name="labelled"/> for kept keypoints (COCO's 2, "labelled and
    /// visible"; PoseTrack's 1), 0 at (0, 0) for the rest, as both mark unlabelled ones.
    /// </summary>
    internal static void WriteKeypoints(Utf8JsonWriter json, IReadOnlyList<Keypoint> keypoints, ExportOptions options, int labelled = 2)
    {
        json.WriteStartArray("keypoints");
        foreach (var k in keypoints)
        {
            var kept = options.Keeps(k);
            json.WriteNumberValue(kept ? k.X : 0);
            json.WriteNumberValue(kept ? k.Y : 0);
            json.WriteNumberValue(kept ? labelled : 0);
        }

        json.WriteEndArray();
    }

    internal static void WriteBox(Utf8JsonWriter json, BoundingBox box)
    {
        json.WriteStartArray("bbox");
        json.WriteNumberValue(box.X1);
        json.WriteNumberValue(box.Y1);
        json.WriteNumberValue(box.Width);
        json.WriteNumberValue(box.Height);
        json.WriteEndArray();
    }

    internal static void WriteCategory(Utf8JsonWriter json, IEnumerable<string> keypointNames, int[][] skeleton)
    {
        json.WriteStartObject();
        json.WriteNumber("id", 1);
        json.WriteString("name", "person");
        json.WriteString("supercategory", "person");
        json.WriteStartArray("keypoints");
        foreach (var name in keypointNames)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteStartArray("skeleton");
        foreach (var limb in skeleton)
        {
            json.WriteStartArray();
            json.WriteNumberValue(limb[0]);
            json.WriteNumberValue(limb[1]);
            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Reads a file written by <see cref="WriteAsync"/> (or any COCO keypoints file whose images carry video_id and frame_index).</summary>
    public static async Task<IReadOnlyList<ExportedPerson>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var root = document.RootElement;
        var images = root.GetProperty("images").EnumerateArray().ToDictionary(
            i => i.GetProperty("id").GetInt64(),
            i => (Video: i.GetProperty("video_id").GetString() ?? "", Frame: i.GetProperty("frame_index").GetInt64()));
        var people = new List<ExportedPerson>();
        foreach (var a in root.GetProperty("annotations").EnumerateArray())
        {
            var (video, frame) = images[a.GetProperty("image_id").GetInt64()];
            people.Add(new ExportedPerson(video, frame, a.GetProperty("track_id").GetInt32(), ReadBox(a), ReadKeypoints(a)));
        }

        return people;
    }

    internal static BoundingBox ReadBox(JsonElement annotation)
    {
        var b = annotation.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return new BoundingBox(b[0], b[1], b[0] + b[2], b[1] + b[3]);
    }

    /// <summary>Keypoints with v &gt; 0 and their `keypoint_scores` (or `scores`, PoseTrack's name); v = 0 gives null.</summary>
    internal static Keypoint?[] ReadKeypoints(JsonElement annotation)
    {
        var values = annotation.GetProperty("keypoints").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var scores = (annotation.TryGetProperty("keypoint_scores", out var s) || annotation.TryGetProperty("scores", out s))
            ? s.EnumerateArray().Select(v => v.GetSingle()).ToArray()
            : [.. Enumerable.Repeat(1f, values.Length / 3)];
        return [.. Enumerable.Range(0, values.Length / 3).Select(k => values[(3 * k) + 2] > 0 ? new Keypoint(values[3 * k], values[(3 * k) + 1], scores[k]) : (Keypoint?)null)];
    }
}
