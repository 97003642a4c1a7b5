using System.Text.Json;

namespace Pipeline.Stages.Evaluation;

/// <summary>A COCO keypoints ground-truth file: its images and its people of the person category.</summary>
public sealed record CocoKeypointDataset(IReadOnlyCollection<long> ImageIds, IReadOnlyList<CocoGroundTruth> People, long PersonCategory);

/// <summary>
/// Reads COCO keypoints files as pycocotools does: ground truth (person_keypoints_*.json: images,
/// annotations, categories) and detections — a results file (a list of image_id, category_id,
/// keypoints, score) or a dataset whose annotations carry a score (e.g. `export --format coco`).
/// A detection for an image the ground truth lacks is an error, as in pycocotools' loadRes.
/// </summary>
public static class CocoKeypointFiles
{
    public static async Task<CocoKeypointDataset> ReadGroundTruthAsync(string path, CancellationToken cancellationToken = default)
    {
        using var document = await ParseAsync(path, cancellationToken);
        return Fields(path, () => GroundTruth(path, document));
    }

    public static async Task<IReadOnlyList<CocoDetection>> ReadDetectionsAsync(string path, CocoKeypointDataset groundTruth, CancellationToken cancellationToken = default)
    {
        using var document = await ParseAsync(path, cancellationToken);
        return Fields(path, () => Detections(path, document, groundTruth));
    }

    /// <summary>A missing field or one of the wrong JSON type becomes an error naming the file.</summary>
    private static T Fields<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"{path}: a required field is missing or of the wrong type ({e.Message})", e);
        }
    }

    private static CocoKeypointDataset GroundTruth(string path, JsonDocument document)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("images", out var images) || !root.TryGetProperty("annotations", out var annotations) || !root.TryGetProperty("categories", out var categories))
        {
            throw new InvalidDataException($"{path}: not a COCO keypoints ground-truth file (it needs images, annotations and categories)");
        }

        var person = PersonCategory(path, categories);
        var imageIds = images.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToHashSet();
        var people = new List<CocoGroundTruth>();
        foreach (var a in annotations.EnumerateArray().Where(a => a.GetProperty("category_id").GetInt64() == person))
        {
            var keypoints = Keypoints(path, a);
            var box = a.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            if (box.Length != 4)
            {
                throw new InvalidDataException($"{path}: annotation {a.GetProperty("id")} has a bbox of {box.Length} values, not x, y, w, h");
            }

            var area = a.TryGetProperty("area", out var given) ? given.GetDouble() : throw new InvalidDataException($"{path}: annotation {a.GetProperty("id")} has no area");
            var crowd = a.TryGetProperty("iscrowd", out var c) && (c.ValueKind == JsonValueKind.True || (c.ValueKind == JsonValueKind.Number && c.GetInt32() != 0));
            var labelled = a.TryGetProperty("num_keypoints", out var n) ? n.GetInt32() : Enumerable.Range(0, 17).Count(k => keypoints[(3 * k) + 2] > 0);
            people.Add(new CocoGroundTruth(a.GetProperty("id").GetInt64(), a.GetProperty("image_id").GetInt64(), keypoints, box, area, crowd, labelled));
        }

        return new CocoKeypointDataset(imageIds, people, person);
    }

    private static List<CocoDetection> Detections(string path, JsonDocument document, CocoKeypointDataset groundTruth)
    {
        var root = document.RootElement;
        var entries = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("annotations", out var annotations) ? annotations
            : throw new InvalidDataException($"{path}: not COCO keypoint results (a list of image_id, category_id, keypoints, score) nor a dataset with annotations");
        var detections = new List<CocoDetection>();
        // loadRes's rule: a bbox on the first result makes every result's area its bbox's w × h.
        var first = entries.EnumerateArray().FirstOrDefault();
        var boxAreas = first.ValueKind == JsonValueKind.Object && first.TryGetProperty("bbox", out var firstBox) && firstBox.GetArrayLength() > 0;
        foreach (var d in entries.EnumerateArray())
        {
            if (d.TryGetProperty("category_id", out var category) && category.GetInt64() != groundTruth.PersonCategory)
            {
                continue;
            }

            var score = d.TryGetProperty("score", out var s) ? s.GetDouble() : throw new InvalidDataException($"{path}: a detection of image {d.GetProperty("image_id")} has no score");
            double? area = boxAreas ? d.GetProperty("bbox")[2].GetDouble() * d.GetProperty("bbox")[3].GetDouble() : null;
            detections.Add(new CocoDetection(d.GetProperty("image_id").GetInt64(), Keypoints(path, d), score, area));
        }

        var unknown = detections.Select(d => d.ImageId).Where(i => !groundTruth.ImageIds.Contains(i)).Distinct().Order().ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidDataException($"{path}: detections for {unknown.Count} images the ground truth lacks (image_id {string.Join(", ", unknown.Take(5))}{(unknown.Count > 5 ? ", …" : "")}): results do not correspond to this ground truth");
        }

        return detections;
    }

    private static long PersonCategory(string path, JsonElement categories)
    {
        var withKeypoints = categories.EnumerateArray().Where(c => c.TryGetProperty("keypoints", out var k) && k.GetArrayLength() == 17).ToList();
        var person = withKeypoints.FirstOrDefault(c => c.GetProperty("name").GetString() == "person");
        return person.ValueKind == JsonValueKind.Object ? person.GetProperty("id").GetInt64()
            : withKeypoints.Count == 1 ? withKeypoints[0].GetProperty("id").GetInt64()
            : throw new InvalidDataException($"{path}: no person category with 17 keypoints");
    }

    private static double[] Keypoints(string path, JsonElement annotation)
    {
        var values = annotation.GetProperty("keypoints").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        return values.Length == 51 ? values : throw new InvalidDataException($"{path}: an annotation of image {annotation.GetProperty("image_id")} has {values.Length} keypoint values, not 17 × 3");
    }

    private static async Task<JsonDocument> ParseAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not JSON ({e.Message})", e);
        }
    }
}
