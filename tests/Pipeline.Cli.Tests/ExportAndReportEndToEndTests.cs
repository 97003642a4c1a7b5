using System.Diagnostics;
using Pipeline.Stages.Export;
using Pipeline.Stages.Sink;
using Pipeline.Storage;
using Pipeline.Testing;
using Xunit.Abstractions;

namespace Pipeline.Cli.Tests;

public sealed class ExportAndReportEndToEndTests(ITestOutputHelper log) : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("export-report-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private async Task<string> CutAsync(string name, double start, double seconds)
    {
        var clip = Path.Combine(directory, name);
        using var ffmpeg = Process.Start("ffmpeg", ["-v", "error", "-ss", $"{start}", "-t", $"{seconds}", "-i", "/usr/share/doc/opencv-doc/examples/data/vtest.avi", "-an", "-c:v", "libx264", "-preset", "veryfast", clip])!;
        await ffmpeg.WaitForExitAsync();
        Assert.Equal(0, ffmpeg.ExitCode);
        return clip;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ARealRunIsExportedWithNothingLostAndReportedWithThumbnails()
    {
        var clip = await CutAsync("yard.mp4", 20, 3);
        var output = Path.Combine(directory, "out");
        var prelabel = await CliRunner.RunAsync("prelabel", "--input", clip, "--output", output, "--model", "movenet-lightning", "--quiet");
        Assert.True(prelabel.ExitCode == 0, prelabel.Error);
        var parquet = Assert.Single(Directory.GetFiles(output, "*.parquet"));
        var labels = await ParquetVideoReader.ReadAsync(parquet);
        Assert.NotEmpty(labels.Rows);

        foreach (var format in new[] { "coco", "posetrack18", "cvat-video" })
        {
            var result = await CliRunner.RunAsync("export", "--parquet", output, "--format", format, "--out", Path.Combine(directory, format));
            Assert.True(result.ExitCode == 0, result.Error);
            // Frame count from the run manifest (30 frames decoded), frame size from the video itself.
            Assert.Contains($"{labels.Rows.Count} poses", result.Output);
            Assert.Contains("30 frames", result.Output);
        }

        var coco = (await CocoKeypointsFile.ReadAsync(Path.Combine(directory, "coco", labels.VideoId + ".json"))).ToDictionary(p => (p.FrameIndex, p.TrackId));
        var poseTrack = (await PoseTrack18File.ReadAsync(Path.Combine(directory, "posetrack18", labels.VideoId + ".json"))).ToDictionary(p => (p.FrameIndex, p.TrackId));
        var cvat = CvatVideoFile.Read(Path.Combine(directory, "cvat-video", labels.VideoId + ".xml"), labels.VideoId).ToDictionary(p => (p.FrameIndex, p.TrackId));
        Assert.Equal(labels.Rows.Count, coco.Count);
        Assert.Equal(labels.Rows.Count, poseTrack.Count);
        Assert.Equal(labels.Rows.Count, cvat.Count);
        foreach (var row in labels.Rows)
        {
            var key = (row.FrameIndex, row.TrackId);
            Assert.Equal(row.Keypoints, coco[key].Keypoints.Select(k => k!.Value));
            Assert.Equal(row.Box, coco[key].Box);
            Assert.Equal(PoseTrackJoints.FromCoco(row.Keypoints), poseTrack[key].Keypoints.Select(k => k!.Value));
            Assert.Equal(row.Keypoints.Select(k => (k.X, k.Y)), cvat[key].Keypoints.Select(k => (k!.Value.X, k.Value.Y)));
        }

        var cocoFile = Path.Combine(directory, "coco", labels.VideoId + ".json");
        var selfScore = await CliRunner.RunAsync("eval", "coco", "--gt", cocoFile, "--pred", cocoFile);
        Assert.True(selfScore.ExitCode == 0, selfScore.Error);
        Assert.Contains("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ] = 1.000", selfScore.Output);

        // PoseTrack18 against itself: poseval's greedy assignment gives two predictions of the same
        // person (the tracker's duplicate tracks, here 3 and 7 in frames 18–24, all joints within
        // PCKh of each other) to one of them, even against itself, so this clip scores ~95, not 100
        // (the synthetic run's distinct people score exactly 100: ExportCommandTests).
        var poseTrackFolder = Path.Combine(directory, "posetrack18");
        var trackScore = await CliRunner.RunAsync("eval", "posetrack", "--gt", poseTrackFolder, "--pred", poseTrackFolder, "--json");
        Assert.True(trackScore.ExitCode == 0, trackScore.Error);
        using (var summary = System.Text.Json.JsonDocument.Parse(trackScore.Output))
        {
            Assert.InRange(summary.RootElement.GetProperty("Total").GetDouble(), 90, 100);
        }

        var report = Path.Combine(directory, "report.html");
        var written = await CliRunner.RunAsync("report", "--input", output, "--out", report);
        Assert.True(written.ExitCode == 0, written.Error);
        var html = await File.ReadAllTextAsync(report);
        Assert.Contains("data:image/jpeg;base64,", html);
        Assert.DoesNotContain("without a thumbnail", html);
        var (_, screenshot) = await ReportChecks.AssertRendersOfflineAsync(report, expectedPlots: 4);
        var kept = Path.Combine(Path.GetTempPath(), "pipeline-report-e2e.png");
        File.Copy(screenshot, kept, overwrite: true);
        log.WriteLine($"screenshot: {kept}");
    }

    [Fact]
    public async Task ABlobOutputIsReportedThroughTheStorageClient()
    {
        using var azurite = new Azurite();
        var local = Path.Combine(directory, "run");
        await SyntheticRun.WriteAsync(local, videos: 2, failed: 1);
        var blobs = new AzureBlobStore(StorageCredentials.FromConnectionString(azurite.ConnectionString()));
        await blobs.CreateContainerIfNotExistsAsync("labels");
        foreach (var file in Directory.GetFiles(local))
        {
            await blobs.UploadFileAsync("labels", "batch-7/" + Path.GetFileName(file), file);
        }

        var report = Path.Combine(directory, "report.html");
        var result = await CliRunner.RunAsync(new Dictionary<string, string?> { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString() }, "report", "--input", "az://labels/batch-7", "--out", report);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("2 Parquet files, 2 manifests", result.Output);
        var html = await File.ReadAllTextAsync(report);
        Assert.Contains("clip-001", html);
        Assert.Contains("moov atom not found", html);

        var noAccount = await CliRunner.RunAsync(new Dictionary<string, string?> { ["AZURE_STORAGE_CONNECTION_STRING"] = null, ["AZURE_STORAGE_ACCOUNT"] = null }, "report", "--input", "az://labels/batch-7", "--out", report);
        Assert.Equal(2, noAccount.ExitCode);
        Assert.Contains("no storage account is configured", noAccount.Error);
    }
}
