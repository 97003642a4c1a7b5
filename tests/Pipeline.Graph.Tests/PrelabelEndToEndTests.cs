using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Graph.Inputs;
using Pipeline.Graph.Run;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Sink;
using static Pipeline.Testing.ParquetQuery;

namespace Pipeline.Graph.Tests;

/// <summary>The prelabel job on clips cut from the sample video at test time.</summary>
public sealed class PrelabelEndToEndTests : IDisposable
{
    private readonly Clips clips = new();
    private readonly string output = Directory.CreateTempSubdirectory("prelabel-out-").FullName;

    public void Dispose()
    {
        clips.Dispose();
        Directory.Delete(output, recursive: true);
    }

    private async Task<RunManifest> RunAsync(IReadOnlyList<string> inputs, bool force = false) =>
        await new PrelabelRunner(new PrelabelOptions { Output = output, Model = "movenet-lightning", Force = force }, NullLogger.Instance)
            .RunAsync(await InputResolver.ResolveAsync(inputs), inputs);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task TracksPeopleAcrossAClipAndWritesTheDocumentedSchema()
    {
        var clip = clips.Cut("yard.mp4", 30, 4);
        var manifest = await RunAsync([clip]);
        var video = Assert.Single(manifest.Videos);
        Assert.Equal("done", video.Status);
        Assert.Equal(40, video.Frames);
        var parquet = video.Output!;
        var table = Read(parquet);

        // Schema: exactly the documented columns, in order.
        Assert.Equal(PoseTableSchema.Columns, Rows($"SELECT column_name FROM (DESCRIBE SELECT * FROM {table})").Select(r => r[0]));
        Assert.Equal(video.Rows, Long($"SELECT count(*) FROM {table}"));
        Assert.Equal(1, Long($"SELECT count(DISTINCT run_id) FROM {table} WHERE run_id = '{manifest.RunId}' AND model = 'movenet-lightning' AND length(weights_sha256) = 64"));

        // Several people, each followed through most of the clip under one id.
        var longTracks = Long($"SELECT count(*) FROM (SELECT track_id FROM {table} GROUP BY track_id HAVING count(*) >= 30)");
        Assert.True(longTracks >= 3, $"only {longTracks} tracks span 30 of 40 frames");
        Assert.Equal(0, Long($"SELECT count(*) FROM (SELECT track_id, frame_index FROM {table} GROUP BY ALL HAVING count(*) > 1)"));

        // Presentation times: frame_index × 0.1 s in this 10 fps clip, increasing along every track.
        Assert.Equal(0, Long($"SELECT count(*) FROM {table} WHERE abs(pts_seconds - frame_index * 0.1) > 1e-6"));
        Assert.Equal(0, Long($"SELECT count(*) FROM (SELECT pts_seconds - lag(pts_seconds) OVER (PARTITION BY track_id ORDER BY frame_index) AS step FROM {table}) WHERE step <= 0"));

        // Confident keypoints land inside their (slightly enlarged) boxes.
        var inside = string.Join(" + ", CocoKeypoints.Names.Select(n =>
            $"CASE WHEN {n}_score > 0.3 AND {n}_x BETWEEN box_x1 - 0.15 * (box_x2 - box_x1) AND box_x2 + 0.15 * (box_x2 - box_x1) AND {n}_y BETWEEN box_y1 - 0.1 * (box_y2 - box_y1) AND box_y2 + 0.1 * (box_y2 - box_y1) THEN 1 ELSE 0 END"));
        var confident = string.Join(" + ", CocoKeypoints.Names.Select(n => $"CASE WHEN {n}_score > 0.3 THEN 1 ELSE 0 END"));
        var share = double.Parse(Rows($"SELECT sum({inside}) / sum({confident}) FROM {table}")[0][0]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(share > 0.95, $"only {share:P1} of confident keypoints lie inside their boxes");

        // The manifest on disk says the same, and a second run skips the committed video.
        var onDisk = RunManifest.Read(Path.Combine(output, PrelabelRunner.ManifestName));
        Assert.Equal("done", onDisk.Videos.Single().Status);
        var again = await RunAsync([clip]);
        Assert.Equal("skipped", again.Videos.Single().Status);
        Assert.Equal(video.Rows, again.Videos.Single().Rows);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task BadFilesFailWithReasonsAndEveryOtherVideoIsCommitted()
    {
        var good = clips.Cut("good.mp4", 10, 1);
        var second = clips.Cut("second.mkv", 50, 1);
        var full = clips.Cut("full.mp4", 20, 2);
        var truncated = Path.Combine(clips.Directory, "truncated.mp4");
        var bytes = File.ReadAllBytes(full);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var empty = Path.Combine(clips.Directory, "empty.mp4");
        File.WriteAllBytes(empty, []);
        var text = Path.Combine(clips.Directory, "readme.mp4");
        File.WriteAllText(text, "these are notes, not a video\n");

        var manifest = await RunAsync([good, truncated, empty, text, second]);
        var byUri = manifest.Videos.ToDictionary(v => v.Uri);
        Assert.Equal("done", byUri[good].Status);
        Assert.Equal("done", byUri[second].Status);
        foreach (var bad in new[] { truncated, empty, text })
        {
            Assert.Equal("failed", byUri[bad].Status);
            Assert.Contains(bad, byUri[bad].Reason);
            Assert.False(File.Exists(Path.Combine(output, byUri[bad].Id + ".parquet")));
        }

        Assert.Contains("empty", byUri[empty].Reason);
        Assert.Equal(2, manifest.Summary.Done);
        Assert.Equal(3, manifest.Summary.Failed);
        Assert.Equal(2, Directory.GetFiles(output, "*.parquet").Length);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task AResumeOverVideosLabelledOnAnotherRuntimeIsRefusedUnlessForced()
    {
        var clip = clips.Cut("old.mp4", 12, 1);
        var first = await RunAsync([clip]);
        var path = Path.Combine(output, PrelabelRunner.ManifestName);

        // As an earlier version (libtorch 1.13 through our own binding) would have written it.
        var earlier = RunManifest.Read(path);
        earlier.Versions[RuntimeCompatibility.RuntimeKey] = "1.13.0";
        earlier.Write(path);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => RunAsync([clip]));
        Assert.Contains($"1 committed video(s) ({first.Videos[0].Id}) were labelled on libtorch 1.13.0; this build runs libtorch {Pipeline.Torch.TorchRuntime.LibTorchVersion}", error.Message);
        Assert.Contains("--force", error.Message);

        var forced = await RunAsync([clip], force: true);
        Assert.Equal("done", forced.Videos.Single().Status);
        Assert.Equal("skipped", (await RunAsync([clip])).Videos.Single().Status); // the recomputed video is this runtime's now
    }
}
