using Pipeline.Graph.Run;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Sink;

namespace Pipeline.Cli.Tests;

/// <summary>A prelabel output written with the sink's own writer and manifest: videos of walking people, some failed, a shard manifest beside the run's.</summary>
internal static class SyntheticRun
{
    public static async Task WriteAsync(string folder, int videos, int failed, int frames = 40, int tracks = 3)
    {
        Directory.CreateDirectory(folder);
        var run = new RunManifest { RunId = "run-a", Started = DateTimeOffset.UnixEpoch, Finished = DateTimeOffset.UnixEpoch.AddMinutes(5), Status = "completed_with_failures" };
        var shard = new RunManifest { RunId = "run-b", Started = DateTimeOffset.UnixEpoch.AddMinutes(1), Status = "completed" };
        for (var v = 0; v < videos; v++)
        {
            var id = $"clip-{v:000}";
            var random = new Random(v);
            var rows = Enumerable.Range(0, frames).SelectMany(f => Enumerable.Range(1, tracks)
                .Where(t => (f + (t * 7)) % 23 != 0)
                .Select(t =>
                {
                    var x = (t * 150) + (f * 2f);
                    var box = new BoundingBox(x, 100, x + 60, 280);
                    var keypoints = Enumerable.Range(0, CocoKeypoints.Count).Select(k => new Keypoint(x + 30 + (float)random.NextDouble(), 110 + (k * 10), (float)(0.2 + (0.8 * random.NextDouble())))).ToArray();
                    return new PoseRow(f, f / 25.0, t, box, 0.9f, keypoints);
                })).ToList();
            await ParquetVideoWriter.WriteAsync(Path.Combine(folder, id + ".parquet"), id, $"/nowhere/{id}.mp4", rows, "movenet-thunder", new string('c', 64), "run-a");
            (v % 2 == 0 ? run : shard).Videos.Add(new RunManifest.VideoEntry { Id = id, Uri = $"/nowhere/{id}.mp4", Status = "done", Frames = frames, Tracks = tracks, Rows = rows.Count, Seconds = 1.5 });
        }

        for (var v = 0; v < failed; v++)
        {
            run.Videos.Add(new RunManifest.VideoEntry { Id = $"broken-{v}", Uri = $"/nowhere/broken-{v}.mp4", Status = "failed", Reason = $"/nowhere/broken-{v}.mp4: moov atom not found" });
        }

        run.Write(Path.Combine(folder, "run-manifest.json"));
        shard.Write(Path.Combine(folder, "run-manifest.shard-1-of-2.json"));
    }
}
