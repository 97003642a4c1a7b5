using System.Text.Json;

namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>
/// Reads PoseTrack annotation (or prediction) files as poseval does: PoseTrack17's `annolist` as it
/// is, PoseTrack18's COCO-style files converted the way poseval's convert.py converts them (frames in
/// `images` order, people in annotation order, keypoints mapped by name onto the 15 joints with the
/// ears dropped, a keypoint at (0, 0) with visibility 0 left out, scores from `scores` when given,
/// the head box from `bbox_head`, ignore regions from `ignore_regions_x/y`).
/// </summary>
public static class PoseTrackFiles
{
    public static async Task<PoseTrackSequence> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        JsonDocument document;
        try
        {
            await using var stream = File.OpenRead(path);
            document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            var name = Path.GetFileNameWithoutExtension(path);
            try
            {
                return root.ValueKind != JsonValueKind.Object ? throw Unknown(path)
                    : root.TryGetProperty("annolist", out var annolist) ? new PoseTrackSequence(name, [.. annolist.EnumerateArray().Select(FromPoseTrack17)])
                    : root.TryGetProperty("images", out _) && root.TryGetProperty("annotations", out _) && root.TryGetProperty("categories", out _) ? new PoseTrackSequence(name, FromPoseTrack18(path, root))
                    : throw Unknown(path);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or FormatException)
            {
                throw new InvalidDataException($"{path}: a required field is missing or of the wrong type ({e.Message})", e);
            }
        }
    }

    private static InvalidDataException Unknown(string path) =>
        new($"{path}: neither a PoseTrack17 file (annolist) nor a PoseTrack18 file (images, annotations, categories)");

    private static PoseTrackFrame FromPoseTrack17(JsonElement frame)
    {
        var image = frame.GetProperty("image")[0].GetProperty("name").GetString() ?? "";
        var people = frame.TryGetProperty("annorect", out var rects) ? rects.EnumerateArray().Select(r =>
        {
            int? track = r.TryGetProperty("track_id", out var t) ? t[0].GetInt32() : null;
            double[]? head = r.TryGetProperty("x1", out var x1) ? [x1[0].GetDouble(), r.GetProperty("y1")[0].GetDouble(), r.GetProperty("x2")[0].GetDouble(), r.GetProperty("y2")[0].GetDouble()] : null;
            var hasPoints = r.TryGetProperty("annopoints", out var annopoints) && annopoints.ValueKind == JsonValueKind.Array && annopoints.GetArrayLength() > 0
                && annopoints[0].ValueKind == JsonValueKind.Object && annopoints[0].TryGetProperty("point", out _);
            var points = hasPoints ? annopoints[0].GetProperty("point").EnumerateArray().Select(p => new PoseTrackPoint(
                p.GetProperty("id")[0].GetInt32(), p.GetProperty("x")[0].GetDouble(), p.GetProperty("y")[0].GetDouble(),
                p.TryGetProperty("score", out var s) ? s[0].GetDouble() : null)).ToList() : [];
            return new PoseTrackPerson(track, head, hasPoints, points);
        }).ToList() : [];
        var regions = frame.TryGetProperty("ignore_regions", out var ir)
            ? ir.EnumerateArray().Select(region => region.GetProperty("point").EnumerateArray().Select(p => (p.GetProperty("x")[0].GetDouble(), p.GetProperty("y")[0].GetDouble())).ToArray()).ToList()
            : [];
        return new PoseTrackFrame(image, people, regions);
    }

    private static List<PoseTrackFrame> FromPoseTrack18(string path, JsonElement root)
    {
        var categories = root.GetProperty("categories").EnumerateArray().ToList();
        if (categories.Count != 1 || categories[0].GetProperty("name").GetString() != "person")
        {
            throw new InvalidDataException($"{path}: a PoseTrack18 file has exactly one category, person");
        }

        var names = categories[0].GetProperty("keypoints").EnumerateArray().Select(n => n.GetString()).ToList();
        var joints = names.Select(n => Array.IndexOf(PoseTrackJointIds.Names, n)).ToArray();
        var lacking = PoseTrackJointIds.Names.Where(n => !names.Contains(n)).ToList();
        if (lacking.Count > 0)
        {
            throw new InvalidDataException($"{path}: its keypoints lack {string.Join(", ", lacking)}");
        }

        var annotations = root.GetProperty("annotations").EnumerateArray().ToLookup(a => a.GetProperty("image_id").GetInt64());
        return [.. root.GetProperty("images").EnumerateArray().Select(image =>
        {
            var people = annotations[image.GetProperty("id").GetInt64()].Select(a =>
            {
                var values = a.GetProperty("keypoints").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var scores = a.TryGetProperty("scores", out var s) ? s.EnumerateArray().Select(v => v.GetDouble()).ToArray() : [];
                var points = new List<PoseTrackPoint>();
                for (var k = 0; k < joints.Length; k++)
                {
                    var (x, y, v) = (values[3 * k], values[(3 * k) + 1], values[(3 * k) + 2]);
                    if (joints[k] >= 0 && !(x == 0 && y == 0 && v == 0))
                    {
                        points.Add(new PoseTrackPoint(joints[k], x, y, scores.Length > 0 ? scores[k] : null));
                    }
                }

                double[]? head = a.TryGetProperty("bbox_head", out var h) ? [h[0].GetDouble(), h[1].GetDouble(), h[0].GetDouble() + h[2].GetDouble(), h[1].GetDouble() + h[3].GetDouble()] : null;
                return new PoseTrackPerson(a.GetProperty("track_id").GetInt32(), head, true, points);
            }).ToList();
            var regions = new List<(double X, double Y)[]>();
            if (image.TryGetProperty("ignore_regions_x", out var xs) && image.TryGetProperty("ignore_regions_y", out var ys))
            {
                foreach (var (rx, ry) in xs.EnumerateArray().Zip(ys.EnumerateArray()))
                {
                    regions.Add([.. rx.EnumerateArray().Zip(ry.EnumerateArray()).Select(p => (p.First.GetDouble(), p.Second.GetDouble()))]);
                }
            }

            return new PoseTrackFrame(image.GetProperty("file_name").GetString() ?? "", people, regions);
        })];
    }
}
