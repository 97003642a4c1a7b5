using System.CommandLine;
using System.Globalization;
using Pipeline.DuckDb;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;

namespace Pipeline.Cli.Commands;

/// <summary>`render`: draws a Parquet output's boxes, skeletons and track ids over its video, for quality checks.</summary>
internal static class RenderCommand
{
    public static Command Create()
    {
        var parquet = new Option<FileInfo>("--parquet") { Description = "A prelabel output file.", Required = true };
        var video = new Option<FileInfo>("--video") { Description = "The video it was made from.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "The MP4 to write.", Required = true };
        var minScore = new Option<float>("--min-score") { Description = "Keypoints below this score are not drawn.", DefaultValueFactory = _ => 0.2f };
        var command = new Command("render", "Draw skeletons, boxes and track ids from a Parquet output over its video (H.264 MP4).") { parquet, video, output, minScore };
        command.SetAction((r, ct) => RunAsync(r.GetValue(parquet)!, r.GetValue(video)!, r.GetValue(output)!, r.GetValue(minScore), ct));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo parquet, FileInfo video, FileInfo output, float minScore, CancellationToken cancellationToken)
    {
        try
        {
            if (!parquet.Exists)
            {
                throw new FileNotFoundException($"{parquet.FullName}: no such file");
            }

            var poses = ReadPoses(parquet.FullName);
            var info = await VideoProbe.ProbeAsync(video.FullName, cancellationToken);
            var (width, height) = info.DisplaySize;
            long frames = 0;
            await using (var encoder = new VideoEncoder(output.FullName, width, height, info.FrameRate > 0 ? info.FrameRate : 25))
            {
                await foreach (var frame in VideoDecoder.DecodeAsync(video.FullName, new DecodeStatistics(), cancellationToken))
                {
                    if (poses.TryGetValue(frame.Index, out var people))
                    {
                        foreach (var (trackId, pose) in people)
                        {
                            Overlay.DrawPose(frame.Image, pose, trackId, minScore);
                            DigitFont.Draw(frame.Image, (int)pose.Box.X1 + 3, (int)pose.Box.Y1 - 18, trackId.ToString(CultureInfo.InvariantCulture), Overlay.Color(trackId));
                        }
                    }

                    await encoder.WriteAsync(frame.Image, cancellationToken);
                    frames++;
                }
            }

            Console.WriteLine($"rendered {frames} frames with {poses.Values.Sum(p => p.Count)} poses to {output.FullName}");
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or DuckDbException or InvalidOperationException)
        {
            Console.Error.WriteLine($"render: {e.Message}");
            return RunFlags.ExitCode(e);
        }
    }

    private static Dictionary<long, List<(int TrackId, PersonPose Pose)>> ReadPoses(string parquet)
    {
        var keypointColumns = string.Join(", ", CocoKeypoints.Names.Select(n => $"{n}_x, {n}_y, {n}_score"));
        using var db = new DuckDbConnection();
        var (_, rows) = db.Query($"SELECT frame_index, track_id, box_x1, box_y1, box_x2, box_y2, box_score, {keypointColumns} FROM read_parquet({DuckDbConnection.Literal(parquet)})");
        var result = new Dictionary<long, List<(int, PersonPose)>>();
        foreach (var row in rows)
        {
            float F(int i) => float.Parse(row[i]!, CultureInfo.InvariantCulture);
            var keypoints = Enumerable.Range(0, CocoKeypoints.Count).Select(k => new Keypoint(F(7 + (3 * k)), F(8 + (3 * k)), F(9 + (3 * k)))).ToArray();
            var frame = long.Parse(row[0]!, CultureInfo.InvariantCulture);
            if (!result.TryGetValue(frame, out var list))
            {
                result[frame] = list = [];
            }

            list.Add((int.Parse(row[1]!, CultureInfo.InvariantCulture), new PersonPose(new BoundingBox(F(2), F(3), F(4), F(5)), F(6), keypoints)));
        }
        return result;
    }
}
