using System.Text.Json;
using System.Xml.Linq;
using Pipeline.Stages.Evaluation;
using Pipeline.Stages.Export;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Sink;

namespace Pipeline.Stages.Tests;

/// <summary>
/// The export formats on a Parquet file written by the sink's writer: each format's documented
/// required fields, and the file read back by our own reader with nothing lost.
/// </summary>
public sealed class ExportFormatTests : IDisposable
{
    private const long Frames = 12;

    private readonly string directory = Directory.CreateTempSubdirectory("export-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Track 1 in frames 0–4 and 7–9 (a gap), track 2 in 3–11 (to the last frame), track 3 only in frame 5.</summary>
    private static IEnumerable<PoseRow> Rows()
    {
        long[] one = [0, 1, 2, 3, 4, 7, 8, 9];
        foreach (var (track, frames) in new[] { (1, one), (2, [.. Enumerable.Range(3, 9).Select(f => (long)f)]), (3, new long[] { 5 }) })
        {
            foreach (var f in frames)
            {
                var seed = (track * 100) + (f * 3.25f);
                yield return new PoseRow(f, f / 25.0, track, new BoundingBox(seed, seed + 2, seed + 40.5f, seed + 90.125f), 0.75f + (track / 100f),
                    [.. Enumerable.Range(0, CocoKeypoints.Count).Select(k => new Keypoint(seed + k + 0.1f, seed + (k * 4.5f) + 1 / 3f, ((k + f + track) % 10) / 9.5f))]);
            }
        }
    }

    private async Task<ExportVideo> VideoAsync(ExportOptions options)
    {
        var parquet = Path.Combine(directory, "vid-1.parquet");
        await ParquetVideoWriter.WriteAsync(parquet, "vid-1", "/videos/a.mp4", Rows(), "movenet-thunder", new string('b', 64), "run-1");
        var labels = await ParquetVideoReader.ReadAsync(parquet);
        return ExportVideo.From(labels, new VideoFrames(640, 480, Frames), options);
    }

    private static void AssertSamePeople(IEnumerable<PoseRow> expected, IReadOnlyList<ExportedPerson> actual, Func<Keypoint[], Keypoint[]> slots, bool scores = true, bool boxes = true)
    {
        var byKey = actual.ToDictionary(p => (p.FrameIndex, p.TrackId));
        var rows = expected.ToList();
        Assert.Equal(rows.Count, actual.Count);
        foreach (var row in rows)
        {
            var person = byKey[(row.FrameIndex, row.TrackId)];
            Assert.Equal("vid-1", person.VideoId);
            if (boxes)
            {
                Assert.Equal(row.Box.X1, person.Box.X1, 1e-4f);
                Assert.Equal(row.Box.Y2, person.Box.Y2, 1e-4f);
            }

            var want = slots(row.Keypoints);
            for (var k = 0; k < want.Length; k++)
            {
                var got = Assert.NotNull(person.Keypoints[k]);
                Assert.Equal(want[k].X, got.X);
                Assert.Equal(want[k].Y, got.Y);
                if (scores)
                {
                    Assert.Equal(want[k].Score, got.Score);
                }
            }
        }
    }

    [Fact]
    public async Task CocoHasItsRequiredFieldsAnImagePerFrameAndReadsBackWithNothingLost()
    {
        var video = await VideoAsync(new ExportOptions());
        var path = Path.Combine(directory, "coco.json");
        await CocoKeypointsFile.WriteAsync(path, video, new ExportOptions());

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        var images = root.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(Frames, images.Count);
        foreach (var image in images)
        {
            foreach (var field in new[] { "id", "file_name", "width", "height" })
            {
                Assert.True(image.TryGetProperty(field, out _), field);
            }
        }

        Assert.Equal("vid-1/000007.jpg", images[7].GetProperty("file_name").GetString());
        foreach (var a in root.GetProperty("annotations").EnumerateArray())
        {
            foreach (var field in new[] { "id", "image_id", "category_id", "keypoints", "num_keypoints", "bbox", "area", "iscrowd", "segmentation", "score" })
            {
                Assert.True(a.TryGetProperty(field, out _), field);
            }

            Assert.Equal(51, a.GetProperty("keypoints").GetArrayLength());
            Assert.Equal(17, a.GetProperty("num_keypoints").GetInt32());
        }

        var category = root.GetProperty("categories")[0];
        Assert.Equal(CocoKeypoints.Names, category.GetProperty("keypoints").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(19, category.GetProperty("skeleton").GetArrayLength());
        Assert.Equal("person", category.GetProperty("name").GetString());

        var back = await CocoKeypointsFile.ReadAsync(path);
        AssertSamePeople(Rows(), back, k => k);
    }

    [Fact]
    public async Task TheExportScoredAgainstItselfIsOneHundredAp()
    {
        var video = await VideoAsync(new ExportOptions());
        var path = Path.Combine(directory, "coco.json");
        await CocoKeypointsFile.WriteAsync(path, video, new ExportOptions());
        var back = (await CocoKeypointsFile.ReadAsync(path)).ToDictionary(p => (p.FrameIndex, p.TrackId));
        // The file as ground truth (every joint labelled) and the sink's rows as predictions.
        var pairs = video.Rows.Select(r =>
        {
            var gt = back[(r.FrameIndex, r.TrackId)];
            return new PairedPose(gt.Box, [.. gt.Keypoints.Select(k => k!.Value)], [.. gt.Keypoints.Select(k => k is not null)], r.Keypoints);
        }).ToList();
        Assert.Equal(1.0, KeypointAgreement.AveragePrecision(pairs), 12);
    }

    [Fact]
    public async Task LowKeypointsAreNotLabelledAndShortTracksAreLeftOut()
    {
        var options = new ExportOptions { MinKeypointScore = 0.5f, MinTrackFrames = 2 };
        var video = await VideoAsync(options);
        Assert.DoesNotContain(video.Rows, r => r.TrackId == 3);
        var path = Path.Combine(directory, "coco.json");
        await CocoKeypointsFile.WriteAsync(path, video, options);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var annotations = json.RootElement.GetProperty("annotations").EnumerateArray().ToList();
        Assert.Equal(Rows().Count() - 1, annotations.Count);
        var rows = video.Rows.ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            var values = annotations[i].GetProperty("keypoints").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            for (var k = 0; k < CocoKeypoints.Count; k++)
            {
                var low = rows[i].Keypoints[k].Score < 0.5f;
                Assert.Equal(low ? [0f, 0f, 0f] : [rows[i].Keypoints[k].X, rows[i].Keypoints[k].Y, 2f], values[(3 * k)..((3 * k) + 3)]);
            }

            Assert.Equal(rows[i].Keypoints.Count(k => k.Score >= 0.5f), annotations[i].GetProperty("num_keypoints").GetInt32());
        }
    }

    [Fact]
    public void HeadPointsAreDerivedAlongTheNoseToNeckLine()
    {
        var coco = new Keypoint[CocoKeypoints.Count];
        coco[0] = new Keypoint(100, 100, 0.9f);
        coco[1] = new Keypoint(95, 95, 0.8f);
        coco[5] = new Keypoint(120, 140, 0.7f);
        coco[6] = new Keypoint(80, 140, 0.6f);
        var joints = PoseTrackJoints.FromCoco(coco);
        // neck (100, 140), d = (0, 40): bottom = nose + 0.7 d, top = nose − 0.5 d; score = min(0.9, 0.7, 0.6).
        Assert.Equal(new Keypoint(100, 128, 0.6f), joints[PoseTrackJoints.HeadBottom]);
        Assert.Equal(new Keypoint(100, 80, 0.6f), joints[PoseTrackJoints.HeadTop]);
        Assert.Equal(coco[0], joints[0]);
        Assert.Equal(coco[5], joints[5]);
    }

    [Fact]
    public async Task PoseTrack18HasItsFieldsAndReadsBackInPoseTrackSlots()
    {
        var video = await VideoAsync(new ExportOptions());
        var path = Path.Combine(directory, "pt18.json");
        await PoseTrack18File.WriteAsync(path, video, new ExportOptions());

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        var category = Assert.Single(root.GetProperty("categories").EnumerateArray());
        Assert.Equal(PoseTrackJoints.Names, category.GetProperty("keypoints").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(19, category.GetProperty("skeleton").GetArrayLength());
        var images = root.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(Frames, images.Count);
        foreach (var field in new[] { "id", "file_name", "frame_id", "vid_id", "nframes", "is_labeled" })
        {
            Assert.True(images[0].TryGetProperty(field, out _), field);
        }

        foreach (var a in root.GetProperty("annotations").EnumerateArray())
        {
            foreach (var field in new[] { "id", "image_id", "category_id", "track_id", "keypoints", "scores", "bbox", "bbox_head" })
            {
                Assert.True(a.TryGetProperty(field, out _), field);
            }

            Assert.Equal(17, a.GetProperty("scores").GetArrayLength());
        }

        AssertSamePeople(Rows(), await PoseTrack18File.ReadAsync(path), PoseTrackJoints.FromCoco);
    }

    [Fact]
    public async Task CvatDeclaresTheSkeletonAndClosesTracksAtGapsAndEnds()
    {
        var video = await VideoAsync(new ExportOptions());
        var path = Path.Combine(directory, "cvat.xml");
        await CvatVideoFile.WriteAsync(path, video, new ExportOptions());

        var root = XDocument.Load(path).Root!;
        Assert.Equal("1.1", root.Element("version")!.Value);
        var task = root.Element("meta")!.Element("task")!;
        Assert.Equal($"{Frames}", task.Element("size")!.Value);
        Assert.Equal($"{Frames - 1}", task.Element("stop_frame")!.Value);
        var labels = task.Element("labels")!.Elements("label").ToList();
        var skeleton = labels.Single(l => l.Element("type")!.Value == "skeleton");
        Assert.Equal(CvatVideoFile.Label, skeleton.Element("name")!.Value);
        Assert.Equal(CvatVideoFile.TrackAttribute, skeleton.Element("attributes")!.Element("attribute")!.Element("name")!.Value);
        var svg = XElement.Parse($"<svg>{skeleton.Element("svg")!.Value}</svg>");
        Assert.Equal(19, svg.Elements("line").Count());
        Assert.Equal(CocoKeypoints.Names, svg.Elements("circle").Select(c => (string)c.Attribute("data-label-name")!));
        Assert.Equal(CocoKeypoints.Names, labels.Where(l => l.Element("parent")?.Value == CvatVideoFile.Label).Select(l => l.Element("name")!.Value));

        var tracks = root.Elements("track").ToList();
        Assert.Equal(3, tracks.Count);
        // Frames with every point outside: after track 1's gap (5) and its end (10); none after track 2's end at the last frame; 6 after track 3.
        int[][] closing = [[5, 10], [], [6]];
        for (var t = 0; t < tracks.Count; t++)
        {
            var keyframes = tracks[t].Elements("skeleton").ToList();
            var frames = keyframes.Select(s => int.Parse((string)s.Attribute("frame")!)).ToList();
            Assert.Equal(frames.Order(), frames);
            Assert.All(keyframes, s => Assert.Equal("1", (string)s.Attribute("keyframe")!));
            Assert.All(keyframes, s => Assert.Equal(17, s.Elements("points").Count()));
            Assert.All(keyframes, s => Assert.Equal($"{t + 1}", s.Elements("attribute").Single(a => (string)a.Attribute("name")! == CvatVideoFile.TrackAttribute).Value));
            var allOutside = keyframes.Where(s => s.Elements("points").All(p => (string)p.Attribute("outside")! == "1")).Select(s => int.Parse((string)s.Attribute("frame")!));
            Assert.Equal(closing[t], allOutside);
        }

        AssertSamePeople(Rows(), CvatVideoFile.Read(path, "vid-1"), k => k, scores: false, boxes: false);
    }

    [Fact]
    public async Task CvatMarksLowKeypointsOutside()
    {
        var options = new ExportOptions { MinKeypointScore = 0.5f };
        var video = await VideoAsync(options);
        var path = Path.Combine(directory, "cvat.xml");
        await CvatVideoFile.WriteAsync(path, video, options);
        var back = CvatVideoFile.Read(path, "vid-1").ToDictionary(p => (p.FrameIndex, p.TrackId));
        foreach (var row in video.Rows)
        {
            Assert.Equal(row.Keypoints.Select(k => k.Score >= 0.5f), back[(row.FrameIndex, row.TrackId)].Keypoints.Select(k => k is not null));
        }
    }

    [Theory]
    [InlineData("{video}/{frame:000000}.jpg", "vid-1/000042.jpg")]
    [InlineData("frame_{frame:000000}.PNG", "frame_000042.PNG")]
    [InlineData("images/val/{video}/{frame}.jpg", "images/val/vid-1/42.jpg")]
    [InlineData("images/val/{folder}/{name}", "images/val/000342_mpii_test/000042.jpg")]
    public void ImageNamesFollowThePattern(string pattern, string expected) =>
        Assert.Equal(expected, new ExportOptions { ImageNamePattern = pattern }.ImageName("vid-1", 42, "000342_mpii_test", "000042.jpg"));

    [Fact]
    public void OptionsOutOfRangeAreRefusedByName()
    {
        Assert.Contains("--min-keypoint-score", Assert.Throws<ArgumentException>(() => new ExportOptions { MinKeypointScore = 1.5f }.Validate()).Message);
        Assert.Contains("--min-track-frames", Assert.Throws<ArgumentException>(() => new ExportOptions { MinTrackFrames = 0 }.Validate()).Message);
        Assert.Contains("{frame}", Assert.Throws<ArgumentException>(() => new ExportOptions { ImageNamePattern = "{video}.jpg" }.Validate()).Message);
    }

    [Fact]
    public async Task InputsThatAreNotPoseLabelsAreRefusedByName()
    {
        var text = Path.Combine(directory, "notes.parquet");
        File.WriteAllText(text, "not parquet at all");
        Assert.Contains("notes.parquet: not a Parquet file", (await Assert.ThrowsAsync<InvalidDataException>(() => PoseLabelFiles.ResolveAsync(text))).Message);

        var other = Path.Combine(directory, "other.parquet");
        var schema = new Parquet.Schema.ParquetSchema(new Parquet.Schema.DataField<int>("x"));
        await using (var stream = File.Create(other))
        await using (var writer = await Parquet.ParquetWriter.CreateAsync(schema, stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync<int>(schema.DataFields[0], new int[] { 1, 2 });
        }

        Assert.Contains("other.parquet: a Parquet file of another schema", (await Assert.ThrowsAsync<InvalidDataException>(() => PoseLabelFiles.ResolveAsync(other))).Message);

        var empty = Directory.CreateDirectory(Path.Combine(directory, "empty")).FullName;
        Assert.Contains("no .parquet files", (await Assert.ThrowsAsync<InvalidDataException>(() => PoseLabelFiles.ResolveAsync(empty))).Message);
        await Assert.ThrowsAsync<FileNotFoundException>(() => PoseLabelFiles.ResolveAsync(Path.Combine(directory, "missing")));
    }
}
