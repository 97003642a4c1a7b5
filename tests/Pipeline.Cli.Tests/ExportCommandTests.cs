using Pipeline.Stages.Export;
using Pipeline.Stages.Sink;

namespace Pipeline.Cli.Tests;

public sealed class ExportCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("export-cli-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task EachFormatIsWrittenPerVideoAndReadsBackWithNothingLost()
    {
        var output = Path.Combine(directory, "out");
        await SyntheticRun.WriteAsync(output, videos: 2, failed: 1, frames: 30);
        foreach (var format in new[] { "coco", "posetrack18", "cvat-video" })
        {
            var folder = Path.Combine(directory, format);
            var result = await CliRunner.RunAsync("export", "--parquet", output, "--format", format, "--out", folder, "--frame-size", "640x480");
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.Contains($"exported 2 videos", result.Output);
            Assert.Equal(2, Directory.GetFiles(folder).Length);
        }

        // The COCO export scored against itself by `eval coco`: every person found exactly.
        var cocoFile = Directory.GetFiles(Path.Combine(directory, "coco")).Order().First();
        var scored = await CliRunner.RunAsync("eval", "coco", "--gt", cocoFile, "--pred", cocoFile, "--json");
        Assert.True(scored.ExitCode == 0, scored.Error);
        using (var summary = System.Text.Json.JsonDocument.Parse(scored.Output))
        {
            Assert.Equal(1.0, summary.RootElement.GetProperty("AP").GetDouble(), 12);
            Assert.Equal(1.0, summary.RootElement.GetProperty("AR").GetDouble(), 12);
        }

        // The PoseTrack18 export scored against itself by `eval posetrack` (head boxes around the derived head points).
        var poseTrackFolder = Path.Combine(directory, "posetrack18");
        var tracked = await CliRunner.RunAsync("eval", "posetrack", "--gt", poseTrackFolder, "--pred", poseTrackFolder, "--json");
        Assert.True(tracked.ExitCode == 0, tracked.Error);
        using (var summary = System.Text.Json.JsonDocument.Parse(tracked.Output))
        {
            Assert.Equal(100, summary.RootElement.GetProperty("Total").GetDouble(), 9);
            Assert.Equal(2, summary.RootElement.GetProperty("sequences").GetInt32());
        }

        foreach (var parquet in Directory.GetFiles(output, "*.parquet"))
        {
            var labels = await ParquetVideoReader.ReadAsync(parquet);
            var coco = await CocoKeypointsFile.ReadAsync(Path.Combine(directory, "coco", labels.VideoId + ".json"));
            var poseTrack = await PoseTrack18File.ReadAsync(Path.Combine(directory, "posetrack18", labels.VideoId + ".json"));
            var cvat = CvatVideoFile.Read(Path.Combine(directory, "cvat-video", labels.VideoId + ".xml"), labels.VideoId);
            foreach (var people in new[] { coco, poseTrack, cvat })
            {
                Assert.Equal(labels.Rows.Count, people.Count);
                Assert.Equal(labels.Rows.Select(r => (r.FrameIndex, r.TrackId)).Order(), people.Select(p => (p.FrameIndex, p.TrackId)).Order());
            }

            var cocoByKey = coco.ToDictionary(p => (p.FrameIndex, p.TrackId));
            var cvatByKey = cvat.ToDictionary(p => (p.FrameIndex, p.TrackId));
            foreach (var row in labels.Rows)
            {
                Assert.Equal(row.Keypoints, cocoByKey[(row.FrameIndex, row.TrackId)].Keypoints.Select(k => k!.Value));
                Assert.Equal(row.Keypoints.Select(k => (k.X, k.Y)), cvatByKey[(row.FrameIndex, row.TrackId)].Keypoints.Select(k => (k!.Value.X, k.Value.Y)));
            }
        }
    }

    [Fact]
    public async Task BadInputsAreRefusedByNameWithNothingWritten()
    {
        var target = Path.Combine(directory, "exported");
        var empty = Directory.CreateDirectory(Path.Combine(directory, "empty")).FullName;
        var text = Path.Combine(directory, "labels.parquet");
        File.WriteAllText(text, "id,x\n1,2\n");
        var run = Path.Combine(directory, "run");
        await SyntheticRun.WriteAsync(run, videos: 1, failed: 0);
        var manifest = Path.Combine(run, "run-manifest.json");
        (string[] Arguments, string Message)[] cases =
        [
            (["--parquet", empty], "no .parquet files in this folder"),
            (["--parquet", text], "labels.parquet: not a Parquet file"),
            (["--parquet", manifest], "run-manifest.json: not a Parquet file"),
            (["--parquet", Path.Combine(directory, "none.parquet")], "none.parquet: no such file or folder"),
            (["--parquet", run], "/nowhere/clip-000.mp4 is not reachable here, so its frame size is unknown: pass --frame-size WxH"),
            (["--parquet", run, "--frame-size", "640"], "--frame-size 640: expected WxH"),
            (["--parquet", run, "--min-keypoint-score", "2"], "--min-keypoint-score 2: must be within 0–1"),
            (["--parquet", run, "--frame-size", "640x480", "--image-names", "{folder}/{name}"], "frames have no known image name"),
        ];
        foreach (var (arguments, message) in cases)
        {
            var result = await CliRunner.RunAsync(["export", "--format", "coco", "--out", target, .. arguments]);
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', arguments)}: {result.ExitCode} {result.Error}");
            Assert.Contains(message, result.Error);
        }

        Assert.False(Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any());
        var unwritable = await CliRunner.RunAsync("export", "--format", "coco", "--parquet", run, "--frame-size", "640x480", "--out", "/proc/exported");
        Assert.Equal(2, unwritable.ExitCode);
        Assert.Contains("/proc/exported: cannot write here", unwritable.Error);
    }

    [Fact]
    public async Task EvalCocoRefusesFilesItCannotScoreByName()
    {
        var list = Path.Combine(directory, "list.json");
        File.WriteAllText(list, "[]");
        var notJson = Path.Combine(directory, "gt.txt");
        File.WriteAllText(notJson, "image,x,y");
        var gt = Path.Combine(directory, "gt.json");
        File.WriteAllText(gt, """{"images": [{"id": 1}], "annotations": [], "categories": [{"id": 1, "name": "person", "keypoints": ["nose","left_eye","right_eye","left_ear","right_ear","left_shoulder","right_shoulder","left_elbow","right_elbow","left_wrist","right_wrist","left_hip","right_hip","left_knee","right_knee","left_ankle","right_ankle"]}]}""");
        var stranger = Path.Combine(directory, "pred.json");
        File.WriteAllText(stranger, "[{\"image_id\": 7, \"category_id\": 1, \"score\": 0.5, \"keypoints\": [" + string.Join(",", Enumerable.Repeat("1", 51)) + "]}]");
        (string Gt, string Pred, string Message)[] cases =
        [
            (list, stranger, "list.json: not a COCO keypoints ground-truth file"),
            (notJson, stranger, "gt.txt: not JSON"),
            (gt, stranger, "pred.json: detections for 1 images the ground truth lacks (image_id 7)"),
            (gt, Path.Combine(directory, "none.json"), "none.json: no such file"),
        ];
        foreach (var (gtFile, predFile, message) in cases)
        {
            var result = await CliRunner.RunAsync("eval", "coco", "--gt", gtFile, "--pred", predFile);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(message, result.Error);
        }
    }
}
