using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Pipeline.Stages.Evaluation;
using Pipeline.Stages.Evaluation.PoseTrack;
using Pipeline.Stages.Sink;

namespace Pipeline.Cli.Commands;

/// <summary>`eval`: pre-labels scored against human labels.</summary>
internal static class EvalCommand
{
    public static Command Create() => new("eval", "Score predictions against human labels.") { PoseTrack(), Coco() };

    private static Command PoseTrack()
    {
        var gt = new Option<string>("--gt") { Description = "PoseTrack17 (annolist) or PoseTrack18 annotation file, or a folder of them (one per sequence).", Required = true };
        var pred = new Option<string>("--pred") { Description = "prelabel output (a folder of .parquet files, matched to sequences by their frame folders' names and frame names) or a folder of PoseTrack JSON files named as the ground truth's.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var command = new Command("posetrack", "PoseTrack multi-person pose AP (PCKh@0.5) and tracking metrics (MOTA, MOTP, precision, recall) as poseval computes them.") { gt, pred, json };
        command.SetAction((r, ct) => RunPoseTrackAsync(r.GetValue(gt)!, r.GetValue(pred)!, r.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunPoseTrackAsync(string gtPath, string predPath, bool asJson, CancellationToken cancellationToken)
    {
        try
        {
            var truthFiles = Directory.Exists(gtPath) ? Directory.GetFiles(gtPath, "*.json").ToList()
                : File.Exists(gtPath) ? [gtPath] : throw new FileNotFoundException($"{gtPath}: no such file or folder", gtPath);
            if (truthFiles.Count == 0)
            {
                throw new InvalidDataException($"{gtPath}: no .json annotation files in this folder");
            }

            var truths = new List<PoseTrackSequence>();
            foreach (var file in truthFiles)
            {
                truths.Add(await PoseTrackFiles.ReadAsync(file, cancellationToken));
            }

            var pairs = await PairAsync(truths, predPath, cancellationToken);
            var result = PoseTrackAp.Evaluate(pairs);
            var grouped = PoseTrackApResult.Grouped(result.Ap);
            var untracked = Untracked(pairs);
            var tracking = untracked is null ? PoseTrackMot.Evaluate(pairs) : null;
            if (untracked is not null)
            {
                Console.Error.WriteLine($"eval posetrack: warning: {untracked}: people without a track id, so no tracking metrics (MOTA …)");
            }

            var brief = pairs.Count(p => p.Truth.Frames.Count(f => f.People.Count > 0) < 2);
            if (tracking is not null && brief > 0)
            {
                Console.Error.WriteLine($"eval posetrack: warning: {brief} of {pairs.Count} sequences have fewer than 2 labelled frames and add nothing to the tracking metrics (poseval leaves out each sequence's last labelled frame)");
            }

            if (asJson)
            {
                var output = new Dictionary<string, object?>();
                foreach (var (name, value) in PoseTrackApResult.GroupNames.Zip(grouped))
                {
                    output[name] = Finite(value);
                }

                output["joints"] = PoseTrackJointIds.Names.Select((n, j) => (n, j)).ToDictionary(p => p.n, p => Finite(result.Ap[p.j]));
                output["precision"] = Finite(result.Precision[15]);
                output["recall"] = Finite(result.Recall[15]);
                output["sequences"] = pairs.Count;
                output["tracking"] = tracking is null ? null : TrackingJson(tracking);
                Console.WriteLine(JsonSerializer.Serialize(output));
            }
            else
            {
                Console.WriteLine($"{pairs.Count} sequences, {pairs.Sum(p => p.Truth.Frames.Count(f => f.People.Count > 0))} labelled frames");
                Console.WriteLine("Average Precision (AP) metric:");
                Console.WriteLine(PosevalTable.ApHeader);
                Console.WriteLine(PosevalTable.Row(grouped));
                if (tracking is not null)
                {
                    Console.WriteLine("Multiple Object Tracking (MOT) metrics:");
                    Console.WriteLine(PoseTrackMotResult.Header);
                    Console.WriteLine(PosevalTable.Row(tracking.Row()));
                }
            }

            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"eval posetrack: {e.Message}");
            return RunFlags.UsageExitCode;
        }
    }

    /// <summary>The first sequence (ground truth or prediction) with a person lacking a track id, or null.</summary>
    private static string? Untracked(List<(PoseTrackSequence Truth, PoseTrackSequence Prediction)> pairs)
    {
        static bool Lacks(PoseTrackSequence s) => s.Frames.Any(f => f.People.Any(p => p.TrackId is null));
        return pairs.Select(p => Lacks(p.Truth) ? $"ground truth {p.Truth.Name}" : Lacks(p.Prediction) ? $"predictions for {p.Truth.Name}" : null)
            .FirstOrDefault(s => s is not null);
    }

    /// <summary>MOTA grouped as the AP (Head … Total), the totals of MOTP, precision and recall, and every joint's four numbers.</summary>
    private static Dictionary<string, object?> TrackingJson(PoseTrackMotResult tracking) => new()
    {
        ["MOTA"] = PoseTrackApResult.GroupNames.Zip(PoseTrackApResult.Grouped(tracking.Mota)).ToDictionary(p => p.First, p => Finite(p.Second)),
        ["MOTP"] = Finite(tracking.Motp[15]),
        ["precision"] = Finite(tracking.Precision[15]),
        ["recall"] = Finite(tracking.Recall[15]),
        ["joints"] = PoseTrackJointIds.Names.Select((n, j) => (n, j)).ToDictionary(
            p => p.n,
            p => new Dictionary<string, double?>
            {
                ["MOTA"] = Finite(tracking.Mota[p.j]),
                ["MOTP"] = Finite(tracking.Motp[p.j]),
                ["precision"] = Finite(tracking.Precision[p.j]),
                ["recall"] = Finite(tracking.Recall[p.j]),
            }),
    };

    /// <summary>JSON has no NaN: a joint without a defined AP is null.</summary>
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>Each ground-truth sequence with its predictions: from Parquet labels, or a JSON file of the same name (a missing one is an error, as in poseval).</summary>
    private static async Task<List<(PoseTrackSequence Truth, PoseTrackSequence Prediction)>> PairAsync(List<PoseTrackSequence> truths, string predPath, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(predPath))
        {
            throw new FileNotFoundException($"{predPath}: no such prediction folder", predPath);
        }

        var pairs = new List<(PoseTrackSequence, PoseTrackSequence)>();
        if (Directory.EnumerateFiles(predPath, "*.parquet").Any())
        {
            var videos = new List<VideoLabels>();
            foreach (var file in await PoseLabelFiles.ResolveAsync(predPath, cancellationToken))
            {
                videos.Add(await ParquetVideoReader.ReadAsync(file, cancellationToken));
            }

            var used = new HashSet<string>();
            foreach (var truth in truths)
            {
                var keys = LabelSequences.Keys(truth).ToHashSet();
                var matches = videos.Where(v => LabelSequences.Keys(v).Any(keys.Contains)).ToList();
                var video = matches.Count switch
                {
                    0 => throw new InvalidDataException($"{predPath}: no prediction for sequence {truth.Name} (no video whose frame folder or file is named {string.Join(" or ", keys)})"),
                    1 => matches[0],
                    _ => throw new InvalidDataException($"{predPath}: {matches.Count} videos could be sequence {truth.Name} ({string.Join(", ", matches.Select(m => m.VideoUri))}): score them from separate folders"),
                };
                used.Add(video.VideoId);
                var predicted = LabelSequences.Predictions(truth, video);
                var unmatched = LabelSequences.UnmatchedFrames(truth, video);
                if (unmatched > 0)
                {
                    Console.Error.WriteLine($"eval posetrack: warning: {truth.Name}: {unmatched} labelled frames have no frame of that name in {video.VideoUri}; scored as frames without predictions");
                }

                pairs.Add((truth, predicted));
            }

            var unused = videos.Count(v => !used.Contains(v.VideoId));
            if (unused > 0)
            {
                Console.Error.WriteLine($"eval posetrack: warning: {unused} of {videos.Count} predicted videos have no ground-truth sequence and are not scored");
            }

            return pairs;
        }

        var jsonFiles = Directory.GetFiles(predPath, "*.json");
        if (jsonFiles.Length == 0)
        {
            throw new InvalidDataException($"{predPath}: no predictions here (prelabel's .parquet files, or PoseTrack .json files named as the ground truth's)");
        }

        var extra = jsonFiles.Count(f => !truths.Any(t => t.Name == Path.GetFileNameWithoutExtension(f)));
        if (extra > 0)
        {
            Console.Error.WriteLine($"eval posetrack: warning: {extra} of {jsonFiles.Length} prediction files in {predPath} have no ground-truth sequence and are not scored");
        }

        foreach (var truth in truths)
        {
            var file = Path.Combine(predPath, truth.Name + ".json");
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"Prediction file {file} does not exist", file);
            }

            pairs.Add((truth, await PoseTrackFiles.ReadAsync(file, cancellationToken)));
        }

        return pairs;
    }

    private static Command Coco()
    {
        var gt = new Option<string>("--gt") { Description = "COCO keypoints ground truth (person_keypoints_*.json).", Required = true };
        var pred = new Option<string>("--pred") { Description = "COCO keypoint results (a list of image_id, category_id, keypoints, score), or a COCO dataset whose annotations carry a score (e.g. from `export --format coco`).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var command = new Command("coco", "COCO keypoint AP and AR (OKS, COCO's sigmas, thresholds 0.50:0.95, all/medium/large areas, 20 detections per image) as pycocotools' COCOeval computes them.")
        {
            gt, pred, json,
        };
        command.SetAction((r, ct) => RunCocoAsync(r.GetValue(gt)!, r.GetValue(pred)!, r.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunCocoAsync(string gtPath, string predPath, bool asJson, CancellationToken cancellationToken)
    {
        try
        {
            var groundTruth = await CocoKeypointFiles.ReadGroundTruthAsync(gtPath, cancellationToken);
            var detections = await CocoKeypointFiles.ReadDetectionsAsync(predPath, groundTruth, cancellationToken);
            var summary = CocoKeypointEvaluation.Evaluate(groundTruth.ImageIds, groundTruth.People, detections);
            if (asJson)
            {
                string[] keys = ["AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl"];
                Console.WriteLine(JsonSerializer.Serialize(keys.Zip(summary.Values).ToDictionary(p => p.First, p => p.Second)));
            }
            else
            {
                Console.WriteLine($"{groundTruth.ImageIds.Count} images, {groundTruth.People.Count} ground-truth people, {detections.Count} detections");
                foreach (var (label, value) in CocoKeypointSummary.Labels.Zip(summary.Values))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $" {label} = {value:0.000}"));
                }
            }

            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"eval coco: {e.Message}");
            return RunFlags.UsageExitCode;
        }
    }
}
