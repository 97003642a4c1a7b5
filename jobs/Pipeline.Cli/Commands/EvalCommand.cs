using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Pipeline.Stages.Evaluation;

namespace Pipeline.Cli.Commands;

/// <summary>`eval`: pre-labels scored against human labels.</summary>
internal static class EvalCommand
{
    public static Command Create() => new("eval", "Score predictions against human labels.") { Coco() };

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
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine($"eval coco: {e.Message}");
            return RunFlags.UsageExitCode;
        }
    }
}
