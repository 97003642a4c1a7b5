using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Stages.Evaluation.PoseTrack;
using Pipeline.Stages.Export;
using Pipeline.Stages.Sink;

namespace Pipeline.Cli.Tests;

/// <summary>
/// The README's PoseTrack walk-through on a tiny set in PoseTrack18's layout: a sequence's frame
/// folder (images/val/000001_mpii_test/000000.jpg …) prelabelled, then scored by `eval posetrack`
/// against an annotation file that labels every other frame. The annotations are Thunder's own
/// labels (with head boxes around the derived head points), so Thunder must score exactly 100 and
/// Lightning less: what is checked is the plumbing — sequences found by folder, frames by name,
/// unlabelled frames left out, joints mapped — not a model's accuracy.
/// </summary>
public sealed class PoseTrackWalkthroughTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("posetrack-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task PrelabelledFrameFoldersAreScoredAgainstPoseTrackAnnotations()
    {
        var (thunder, labels) = await LabelledSequenceAsync("val", "000001_mpii_test", startSeconds: 20);
        Assert.All(labels.Rows, r => Assert.Equal($"{r.FrameIndex:000000}.jpg", r.FrameName));
        var gt = Path.Combine(directory, "annotations", "val");

        // Exported with the frames' own names, as PoseTrack lays them out.
        var exported = Path.Combine(directory, "exported");
        var export = await CliRunner.RunAsync("export", "--parquet", thunder, "--format", "posetrack18", "--out", exported, "--image-names", "images/val/{folder}/{name}");
        Assert.True(export.ExitCode == 0, export.Error);
        using (var file = JsonDocument.Parse(File.ReadAllText(Assert.Single(Directory.GetFiles(exported)))))
        {
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"images/val/000001_mpii_test/{i:000000}.jpg"), file.RootElement.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("file_name").GetString()));
        }

        var self = await CliRunner.RunAsync("eval", "posetrack", "--gt", gt, "--pred", thunder, "--json");
        Assert.True(self.ExitCode == 0, self.Error);
        using (var result = JsonDocument.Parse(self.Output))
        {
            Assert.Equal(100, result.RootElement.GetProperty("Total").GetDouble(), 9);
            Assert.Equal(100, result.RootElement.GetProperty("joints").GetProperty("head_top").GetDouble(), 9);
            // The annotations carry the predictions' own track ids, so tracking is perfect too.
            var tracking = result.RootElement.GetProperty("tracking");
            Assert.Equal(100, tracking.GetProperty("MOTA").GetProperty("Total").GetDouble(), 9);
            // MOTP: 1 − the distances' sum (÷ head size); the annotations' coordinates went through JSON, the predictions' are Parquet's float32.
            Assert.InRange(tracking.GetProperty("MOTP").GetDouble(), 99.99, 100);
            Assert.Equal(100, tracking.GetProperty("joints").GetProperty("left_wrist").GetProperty("recall").GetDouble(), 9);
        }

        var table = await CliRunner.RunAsync("eval", "posetrack", "--gt", gt, "--pred", thunder);
        Assert.Contains("1 sequences, 10 labelled frames", table.Output);
        Assert.Contains(@"& Head & Shou & Elb  & Wri  & Hip  & Knee & Ankl & Total\\", table.Output);
        Assert.Contains(@"&100.0 &100.0 &100.0 &100.0 &100.0 &100.0 &100.0 &100.0 \\", table.Output);
        Assert.Contains(PoseTrackMotResult.Header, table.Output);
        Assert.Contains(@"&100.0 &100.0 &100.0 &100.0 &100.0 &100.0 &100.0 &100.0 &100.0 &100.0 &100.0 \\", table.Output); // MOTP 99.9998 prints as 100.0

        var lightning = Path.Combine(directory, "lightning");
        var run = await CliRunner.RunAsync("prelabel", "--input", Path.Combine(directory, "images", "val"), "--output", lightning, "--model", "movenet-lightning", "--frame-rate", "10", "--quiet");
        Assert.True(run.ExitCode == 0, run.Error);
        var other = await CliRunner.RunAsync("eval", "posetrack", "--gt", gt, "--pred", lightning, "--json");
        Assert.True(other.ExitCode == 0, other.Error);
        using (var result = JsonDocument.Parse(other.Output))
        {
            Assert.InRange(result.RootElement.GetProperty("Total").GetDouble(), 20, 99.9);
            Assert.InRange(result.RootElement.GetProperty("tracking").GetProperty("MOTA").GetProperty("Total").GetDouble(), -100, 99.9);
        }

        // A sequence without predictions is an error naming it, as in poseval.
        File.WriteAllText(Path.Combine(gt, "000002_mpii_test.json"), File.ReadAllText(Path.Combine(gt, "000001_mpii_test.json")).Replace("000001_mpii_test", "000002_mpii_test", StringComparison.Ordinal));
        var missing = await CliRunner.RunAsync("eval", "posetrack", "--gt", gt, "--pred", thunder);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no prediction for sequence 000002_mpii_test", missing.Error);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task PoseTrackLabelsTrainATemporalHead()
    {
        await LabelledSequenceAsync("train", "000001_bonn_train", startSeconds: 20);
        await LabelledSequenceAsync("val", "000002_mpii_test", startSeconds: 40);
        var weights = Path.Combine(directory, "dsa-posetrack.safetensors");
        var train = await CliRunner.RunAsync(
            "train", "--model", "dsa", "--posetrack", directory, "--steps", "4", "--batch-size", "2", "--validation-windows", "4",
            "--cache", Path.Combine(directory, "cache"), "-o", weights);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("building for 1 PoseTrack sequences", train.Error);
        Assert.Contains("on PoseTrack's labels", train.Error);
        Assert.Matches(@"\d+ person-frames × \d+ versions, [1-9]\d* labelled", train.Error);
        Assert.Contains("validation at step 4", train.Error);
        Assert.Contains("trained:", train.Error);
        Assert.True(new FileInfo(weights).Length > 0);

        // --posetrack replaces the video and its frame ranges.
        var clash = await CliRunner.RunAsync("train", "--model", "dsa", "--posetrack", directory, "--frames", "0-10");
        Assert.Equal(2, clash.ExitCode);
        Assert.Contains("--posetrack replaces --frames", clash.Error);

        // A dataset without a training split is refused, naming the folder it looked for.
        var empty = Directory.CreateTempSubdirectory("posetrack-empty-").FullName;
        var missing = await CliRunner.RunAsync("train", "--model", "dsa", "--posetrack", empty);
        Directory.Delete(empty);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains(Path.Combine(empty, "annotations", "train"), missing.Error);
    }

    /// <summary>
    /// 20 frames of the sample from <paramref name="startSeconds"/> as images/SPLIT/SEQUENCE/000000.jpg …,
    /// prelabelled with Thunder, and annotations/SPLIT/SEQUENCE.json written from those labels.
    /// </summary>
    private async Task<(string Output, VideoLabels Labels)> LabelledSequenceAsync(string split, string name, int startSeconds)
    {
        var images = Path.Combine(directory, "images", split);
        var sequence = Directory.CreateDirectory(Path.Combine(images, name)).FullName;
        using (var ffmpeg = Process.Start("ffmpeg", ["-v", "error", "-ss", $"{startSeconds}", "-i", "/usr/share/doc/opencv-doc/examples/data/vtest.avi", "-frames:v", "20", "-start_number", "0", Path.Combine(sequence, "%06d.jpg")])!)
        {
            await ffmpeg.WaitForExitAsync();
            Assert.Equal(0, ffmpeg.ExitCode);
        }

        var output = Path.Combine(directory, "labels-" + name);
        var run = await CliRunner.RunAsync("prelabel", "--input", images, "--output", output, "--frame-rate", "10", "--quiet");
        Assert.True(run.ExitCode == 0, run.Error);
        var labels = await ParquetVideoReader.ReadAsync(Assert.Single(Directory.GetFiles(output, "*.parquet")));
        var annotations = Directory.CreateDirectory(Path.Combine(directory, "annotations", split)).FullName;
        File.WriteAllText(Path.Combine(annotations, name + ".json"), Annotations(labels, $"images/{split}/{name}").ToJsonString());
        return (output, labels);
    }

    /// <summary>A PoseTrack18 file from labels: every frame an image, every other frame labelled, head boxes around head_top and head_bottom.</summary>
    private static JsonObject Annotations(VideoLabels labels, string folder)
    {
        var images = new JsonArray();
        var annotations = new JsonArray();
        var id = 0;
        for (var frame = 0; frame < 20; frame++)
        {
            images.Add(new JsonObject { ["id"] = frame + 1, ["file_name"] = $"{folder}/{frame:000000}.jpg", ["is_labeled"] = frame % 2 == 0, ["nframes"] = 20, ["frame_id"] = frame + 1, ["vid_id"] = "000001" });
            if (frame % 2 != 0)
            {
                continue;
            }

            foreach (var row in labels.Rows.Where(r => r.FrameIndex == frame))
            {
                var slots = PoseTrackJoints.FromCoco(row.Keypoints);
                var (top, bottom) = (slots[PoseTrackJoints.HeadTop], slots[PoseTrackJoints.HeadBottom]);
                var size = Math.Max(4, Math.Sqrt(Math.Pow(top.X - bottom.X, 2) + Math.Pow(top.Y - bottom.Y, 2)));
                var (cx, cy) = ((top.X + bottom.X) / 2, (top.Y + bottom.Y) / 2);
                annotations.Add(new JsonObject
                {
                    ["id"] = ++id,
                    ["image_id"] = frame + 1,
                    ["category_id"] = 1,
                    ["track_id"] = row.TrackId,
                    ["bbox_head"] = new JsonArray(cx - (size / 2), cy - (size / 2), size, size),
                    ["keypoints"] = new JsonArray([.. slots.SelectMany(k => new JsonNode?[] { k.X, k.Y, 1 })]),
                    ["scores"] = new JsonArray(),
                });
            }
        }

        return new JsonObject
        {
            ["categories"] = new JsonArray(new JsonObject { ["id"] = 1, ["name"] = "person", ["keypoints"] = new JsonArray([.. PoseTrackJoints.Names.Select(n => (JsonNode?)n)]) }),
            ["images"] = images,
            ["annotations"] = annotations,
        };
    }
}
