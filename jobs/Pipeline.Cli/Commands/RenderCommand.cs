using System.CommandLine;
using System.Globalization;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Sink;

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

            var poses = await ReadPosesAsync(parquet.FullName, cancellationToken);
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
                            Overlay.DrawPose(frame.Image, pose, trackId, minScore, trackId.ToString(CultureInfo.InvariantCulture));
                        }
                    }

                    await encoder.WriteAsync(frame.Image, cancellationToken);
                    frames++;
                }
            }

            Console.WriteLine($"rendered {frames} frames with {poses.Values.Sum(p => p.Count)} poses to {output.FullName}");
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or InvalidOperationException)
        {
            Console.Error.WriteLine($"render: {e.Message}");
            return RunFlags.ExitCode(e);
        }
    }

    private static async Task<Dictionary<long, List<(int TrackId, PersonPose Pose)>>> ReadPosesAsync(string parquet, CancellationToken cancellationToken) =>
        (await ParquetVideoReader.ReadAsync(parquet, cancellationToken)).Rows
            .GroupBy(r => r.FrameIndex)
            .ToDictionary(g => g.Key, g => g.Select(r => (r.TrackId, new PersonPose(r.Box, r.BoxScore, r.Keypoints))).ToList());
}
