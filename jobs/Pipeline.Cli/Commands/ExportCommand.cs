using System.CommandLine;
using System.Globalization;
using Pipeline.Graph.Run;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Export;
using Pipeline.Stages.Sink;

namespace Pipeline.Cli.Commands;

/// <summary>`export`: prelabel output to annotation-tool formats, one file per video.</summary>
internal static class ExportCommand
{
    private static readonly Dictionary<string, (string Extension, Func<string, ExportVideo, ExportOptions, CancellationToken, Task> Write)> Formats = new()
    {
        ["posetrack18"] = (".json", PoseTrack18File.WriteAsync),
        ["coco"] = (".json", CocoKeypointsFile.WriteAsync),
        ["cvat-video"] = (".xml", CvatVideoFile.WriteAsync),
    };

    public static Command Create()
    {
        var parquet = new Option<string>("--parquet") { Description = "A prelabel output file, or its folder (every .parquet in it).", Required = true };
        var format = new Option<string>("--format") { Description = "posetrack18 (PoseTrack18 JSON), coco (COCO keypoints JSON, which CVAT and Label Studio import) or cvat-video (CVAT for video 1.1 XML, skeleton tracks).", Required = true };
        format.AcceptOnlyFromAmong([.. Formats.Keys]);
        var output = new Option<string>("--out") { Description = "The folder to write <video-id>.json / .xml into (created if missing).", Required = true };
        var minScore = new Option<float>("--min-keypoint-score") { Description = "Keypoints below this score are written as not labelled (default 0: all kept).", DefaultValueFactory = _ => 0f };
        var minFrames = new Option<int>("--min-track-frames") { Description = "Tracks with fewer frames are left out (default 1: all kept).", DefaultValueFactory = _ => 1 };
        var imageNames = new Option<string>("--image-names") { Description = "Image file names for COCO and PoseTrack18: {video} the video id, {frame} the frame index with an optional format, {folder} the input's name, {name} a frame-folder frame's own image file; e.g. frame_{frame:000000}.jpg for CVAT video tasks, images/val/{folder}/{name} for PoseTrack (default {video}/{frame:000000}.jpg, as `ffmpeg -i VIDEO -fps_mode passthrough -start_number 0 ID/%06d.jpg` names them).", DefaultValueFactory = _ => new ExportOptions().ImageNamePattern };
        var frameSize = new Option<string?>("--frame-size") { Description = "WxH of the frames, for outputs whose videos are not reachable here (default: read from the video at video_uri)." };
        var command = new Command("export", "Write prelabel output as PoseTrack18 JSON, COCO keypoints JSON or CVAT for video 1.1 XML, one file per video.")
        {
            parquet, format, output, minScore, minFrames, imageNames, frameSize,
        };
        command.SetAction((r, ct) => RunAsync(
            r.GetValue(parquet)!,
            r.GetValue(format)!,
            r.GetValue(output)!,
            new ExportOptions { MinKeypointScore = r.GetValue(minScore), MinTrackFrames = r.GetValue(minFrames), ImageNamePattern = r.GetValue(imageNames)! },
            r.GetValue(frameSize),
            ct));
        return command;
    }

    private static async Task<int> RunAsync(string parquet, string format, string output, ExportOptions options, string? frameSizeOption, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
            var size = frameSizeOption is null ? ((int, int)?)null : ParseSize(frameSizeOption);
            var files = await PoseLabelFiles.ResolveAsync(parquet, cancellationToken);
            var (extension, write) = Formats[format];
            OutputFolder.Prepare(output);
            long rows = 0, dropped = 0;
            var manifests = new Dictionary<string, IReadOnlyDictionary<string, RunManifest.VideoEntry>>();
            foreach (var file in files)
            {
                var labels = await ParquetVideoReader.ReadAsync(file, cancellationToken);
                var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
                if (!manifests.TryGetValue(folder, out var entries))
                {
                    manifests[folder] = entries = RunManifests.MergeVideos(RunManifests.ReadFolder(folder));
                }

                var frames = await FramesAsync(file, labels, entries, size, cancellationToken);
                var video = ExportVideo.From(labels, frames, options, options.UsesFrameNames ? FrameNames(file, labels, frames.Count) : null);
                var path = Path.Combine(output, labels.VideoId + extension);
                await write(path, video, options, cancellationToken);
                rows += video.Rows.Count;
                dropped += labels.Rows.Count - video.Rows.Count;
                Console.WriteLine($"{path}: {video.Rows.Count} poses, {video.Rows.Select(r => r.TrackId).Distinct().Count()} tracks, {frames.Count} frames");
            }

            Console.WriteLine($"exported {files.Count} videos ({rows} poses{(dropped > 0 ? $"; {dropped} in tracks shorter than {options.MinTrackFrames} frames left out" : "")}) as {format} to {Path.GetFullPath(output)}");
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("export: interrupted; files already written are complete, run it again for the rest");
            return RunFlags.InterruptedExitCode;
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"export: {e.Message}");
            return RunFlags.UsageExitCode;
        }
        catch (InvalidOperationException e)
        {
            // FFmpeg's tools missing or failing to start: the environment, not the input.
            Console.Error.WriteLine($"export: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The video's frame count from the run manifest next to its file (else its last labelled frame
    /// + 1, with a warning) and its frame size from <paramref name="size"/> or the video itself.
    /// </summary>
    private static async Task<VideoFrames> FramesAsync(string file, VideoLabels labels, IReadOnlyDictionary<string, RunManifest.VideoEntry> entries, (int Width, int Height)? size, CancellationToken cancellationToken)
    {
        long count;
        if (entries.TryGetValue(labels.VideoId, out var entry) && entry.Frames > 0)
        {
            count = entry.Frames;
            if (entry.UndecodableFrames > 0)
            {
                Console.Error.WriteLine($"export: warning: {labels.VideoId}: {entry.UndecodableFrames} frames could not be decoded and are not numbered; a tool whose decoder recovers them numbers the frames after them differently");
            }
        }
        else
        {
            count = labels.Rows.Count > 0 ? labels.Rows.Max(r => r.FrameIndex) + 1 : 0;
            Console.Error.WriteLine($"export: warning: {labels.VideoId}: no run manifest lists it next to {file}; frames counted up to its last labelled frame ({count})");
        }

        var labelled = labels.Rows.Count > 0 ? labels.Rows.Max(r => r.FrameIndex) + 1 : 0;
        if (labelled > count)
        {
            Console.Error.WriteLine($"export: warning: {labels.VideoId}: rows up to frame {labelled - 1}, beyond the manifest's {count} frames; counting {labelled}");
            count = labelled;
        }

        if (size is { } given)
        {
            return new VideoFrames(given.Width, given.Height, count);
        }

        if (!File.Exists(labels.VideoUri) && !Directory.Exists(labels.VideoUri))
        {
            throw new ArgumentException($"{file}: its video {labels.VideoUri} is not reachable here, so its frame size is unknown: pass --frame-size WxH");
        }

        var (width, height) = (await VideoProbe.ProbeAsync(labels.VideoUri, cancellationToken)).DisplaySize;
        return new VideoFrames(width, height, count);
    }

    /// <summary>
    /// Each frame's image file for {name}: from the rows' frame_name, and for frames without people
    /// from the frame folder itself when it is reachable and every image was decoded (then index i is
    /// the i-th image). A frame whose name stays unknown is an error: a guessed name would point a
    /// label at the wrong image.
    /// </summary>
    private static Dictionary<long, string> FrameNames(string file, VideoLabels labels, long count)
    {
        var names = labels.Rows.Where(r => r.FrameName.Length > 0).GroupBy(r => r.FrameIndex).ToDictionary(g => g.Key, g => g.First().FrameName);
        if (Directory.Exists(labels.VideoUri) && FrameFolder.Frames(labels.VideoUri) is var images && images.Count == count)
        {
            for (var i = 0; i < images.Count; i++)
            {
                names.TryAdd(i, Path.GetFileName(images[i]));
            }
        }

        var unknown = count - names.Keys.Count(k => k >= 0 && k < count);
        return unknown == 0 ? names : throw new ArgumentException(
            $"{file}: --image-names uses {{name}}, but {unknown} of {count} frames have no known image name (frames without people are named from the frame folder {labels.VideoUri}, which must be reachable here with every image decoded)");
    }

    private static (int Width, int Height) ParseSize(string text)
    {
        var parts = text.Split('x', 'X');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) && w > 0 && h > 0
            ? (w, h)
            : throw new ArgumentException($"--frame-size {text}: expected WxH, e.g. 1920x1080");
    }
}
