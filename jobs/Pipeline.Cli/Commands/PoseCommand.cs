using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using static TorchSharp.torch;

namespace Pipeline.Cli.Commands;

/// <summary>`pose`: detector + single-frame pose on one image or one video frame; prints JSON or a table.</summary>
internal static class PoseCommand
{
    public static readonly string[] PoseModels = ["movenet-thunder", "movenet-lightning", .. Pipeline.Stages.Pose.Temporal.TemporalModels.Names];

    public static Command Create()
    {
        var image = new Option<FileInfo>("--image") { Description = "An image, a video or a folder of numbered images (see --frame).", Required = true };
        var frame = new Option<int>("--frame") { Description = "Frame index (0-based) when --image is a video or a folder of images.", DefaultValueFactory = _ => 0 };
        var boxes = new Option<string[]>("--box") { Description = "A person box x1,y1,x2,y2 in pixels (repeatable). Without it, NanoDet finds the people.", Arity = ArgumentArity.ZeroOrMore };
        var model = new Option<string>("--model") { Description = "Pose model.", DefaultValueFactory = _ => PoseModels[0] };
        model.AcceptOnlyFromAmong(PoseModels);
        var weights = new Option<FileInfo?>("--weights") { Description = "Temporal models: a weights file from `train` (default: the shipped weights)." };
        var json = new Option<bool>("--json") { Description = "Print JSON (default: a table)." };
        var overlay = new Option<FileInfo?>("--overlay") { Description = "Also write a PNG with boxes and skeletons drawn on the frame." };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var threshold = new Option<float>("--score-threshold") { Description = "Minimum detector person score.", DefaultValueFactory = _ => new NanoDetOptions().ScoreThreshold };
        var command = new Command("pose", "Detect people and estimate their poses on one image or one video frame.")
        {
            image, frame, boxes, model, weights, json, overlay, device, threshold,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(image)!, result.GetValue(frame), result.GetValue(boxes) ?? [], result.GetValue(model)!, result.GetValue(weights), result.GetValue(json),
            result.GetValue(overlay), result.GetValue(device)!, result.GetValue(threshold), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo imageFile, int frameIndex, string[] boxTexts, string modelName, FileInfo? weights, bool asJson, FileInfo? overlayFile, string deviceName, float threshold, CancellationToken cancellationToken)
    {
        try
        {
            Pipeline.Stages.Pose.Temporal.TemporalModels.CheckWeightsOption(modelName, weights?.FullName);
            var boxes = boxTexts.Select(ParseBox).ToList();
            var torchDevice = Pipeline.Torch.TorchDevices.Parse(deviceName);
            var image = await StillFrames.ReadAsync(imageFile.FullName, frameIndex, cancellationToken);
            var store = ModelStore.Default;
            List<PersonPose> poses;
            using (var scope = NewDisposeScope())
            {
                List<(BoundingBox, float)> people;
                if (boxes.Count > 0)
                {
                    people = boxes.Select(b => (b, 1f)).ToList();
                }
                else
                {
                    using var detector = new NanoDetDetector(store.GraphModel("nanodet"), new NanoDetOptions { ScoreThreshold = threshold }, torchDevice);
                    people = detector.Detect([image])[0].Select(d => (d.Box, d.Score)).ToList();
                }

                if (Pipeline.Stages.Pose.Temporal.TemporalModels.Names.Contains(modelName))
                {
                    using var temporal = new Pipeline.Stages.Pose.Temporal.TemporalPoseModel(store.GraphModel(Pipeline.Stages.Pose.Temporal.TemporalModels.Backbone), weights?.FullName ?? store.TemporalWeights(modelName), modelName, torchDevice);
                    using var follower = boxes.Count > 0 ? null : new NanoDetDetector(store.GraphModel("nanodet"), new NanoDetOptions { ScoreThreshold = threshold }, torchDevice);
                    poses = await Temporal.WindowPose.EstimateAsync(imageFile.FullName, frameIndex, people, follower, temporal, cancellationToken);
                }
                else
                {
                    using var movenet = new MoveNet(store.GraphModel(modelName), torchDevice);
                    poses = movenet.Estimate(image, people);
                }
            }

            if (overlayFile is not null)
            {
                var canvas = image.Clone();
                for (var i = 0; i < poses.Count; i++)
                {
                    Overlay.DrawPose(canvas, poses[i], i);
                }

                await StillFrames.WritePngAsync(canvas, overlayFile.FullName, cancellationToken);
            }

            Console.WriteLine(asJson ? ToJson(imageFile.FullName, frameIndex, image, modelName, boxes.Count == 0, poses) : ToTable(poses, overlayFile));
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException or InvalidOperationException or IOException or System.Runtime.InteropServices.ExternalException)
        {
            Console.Error.WriteLine($"pose: {e.Message}");
            return RunFlags.ExitCode(e);
        }
    }

    internal static BoundingBox ParseBox(string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 4 || !parts.All(p => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            throw new ArgumentException($"--box '{text}': expected four numbers x1,y1,x2,y2");
        }

        var v = parts.Select(p => float.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        if (v[2] <= v[0] || v[3] <= v[1])
        {
            throw new ArgumentException($"--box '{text}': x2 and y2 must be greater than x1 and y1");
        }

        return new BoundingBox(v[0], v[1], v[2], v[3]);
    }

    private static string ToJson(string path, int frame, RgbImage image, string model, bool detected, List<PersonPose> poses)
    {
        var document = new
        {
            image = path,
            frame,
            width = image.Width,
            height = image.Height,
            model,
            boxes = detected ? "nanodet" : "given",
            people = poses.Select(p => new
            {
                box = new[] { p.Box.X1, p.Box.Y1, p.Box.X2, p.Box.Y2 },
                score = p.BoxScore,
                keypoints = p.Keypoints.Select((k, i) => new { name = CocoKeypoints.Names[i], x = k.X, y = k.Y, score = k.Score }),
            }),
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true });
    }

    private static string ToTable(List<PersonPose> poses, FileInfo? overlay)
    {
        var lines = new List<string> { $"{poses.Count} people" };
        for (var i = 0; i < poses.Count; i++)
        {
            var p = poses[i];
            var good = p.Keypoints.Count(k => k.Score >= 0.3f);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  person {i}: box {p.Box} score {p.BoxScore:F2}, {good}/17 keypoints with score >= 0.3, mean score {p.Keypoints.Average(k => k.Score):F2}"));
        }

        if (overlay is not null)
        {
            lines.Add($"overlay: {overlay.FullName}");
        }

        return string.Join(Environment.NewLine, lines);
    }
}
