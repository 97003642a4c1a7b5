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

/// <summary>`dev`: developer tools (reference-fixture inputs).</summary>
internal static class DevCommand
{
    public static Command Create()
    {
        var video = new Option<FileInfo>("--video") { Description = "Video to take frames from.", Required = true };
        var frames = new Option<string>("--frames") { Description = "Comma-separated frame indices.", DefaultValueFactory = _ => "60,240,420,600" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the inputs and manifest.json.", Required = true };
        var maxPeople = new Option<int>("--max-people") { Description = "Crops per frame (largest boxes first).", DefaultValueFactory = _ => 5 };
        var inputs = new Command("reference-inputs", "Dump the exact NanoDet and MoveNet inputs for frames of a video, for infra/models/make_reference_fixtures.sh.")
        {
            video, frames, output, maxPeople,
        };
        inputs.SetAction((r, ct) => DumpInputsAsync(r.GetValue(video)!, r.GetValue(frames)!, r.GetValue(output)!, r.GetValue(maxPeople), ct));
        return new Command("dev", "Developer tools.") { inputs };
    }

    private static async Task<int> DumpInputsAsync(FileInfo video, string frameList, DirectoryInfo output, int maxPeople, CancellationToken cancellationToken)
    {
        output.Create();
        var store = ModelStore.Default;
        using var detector = new NanoDetDetector(store.GraphModel("nanodet"));
        var entries = new List<object>();
        foreach (var index in frameList.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)))
        {
            var image = await StillFrames.ReadAsync(video.FullName, index, cancellationToken);
            using var scope = NewDisposeScope();
            using var _ = inference_mode();
            var nanodetFile = Path.Combine(output.FullName, $"nanodet-{index}.bin");
            TensorFiles.Write<float>(detector.Preprocess([image]), nanodetFile);
            var people = detector.Detect([image])[0].OrderByDescending(d => d.Box.Area).Take(maxPeople).ToList();
            var crops = new List<object>();
            for (var p = 0; p < people.Count; p++)
            {
                var region = people[p].Box.ToCropRegion();
                var files = new Dictionary<int, string>();
                foreach (var size in new[] { 256, 192 })
                {
                    var crop = tensor(CropSampler.Crops(image, [region], size), [1, 3, size, size]).to(float32);
                    files[size] = TensorFiles.Write<int>(MoveNet.GraphInput(crop), Path.Combine(output.FullName, $"crop-{index}-{p}-{size}.bin"));
                }

                crops.Add(new { region = new[] { region.X1, region.Y1, region.X2, region.Y2 }, thunderInput = files[256], lightningInput = files[192] });
            }

            var letterbox = NanoDetDetector.Letterbox.For(image.Width, image.Height);
            entries.Add(new { frame = index, width = image.Width, height = image.Height, letterbox = new { scale = letterbox.Scale, padX = letterbox.PadX, padY = letterbox.PadY }, nanodetInput = nanodetFile, crops });
        }

        var manifest = new
        {
            video = Path.GetFileName(video.FullName),
            nanodet = store.GraphModel("nanodet"),
            thunder = store.GraphModel("movenet-thunder"),
            lightning = store.GraphModel("movenet-lightning"),
            frames = entries,
        };
        var path = Path.Combine(output.FullName, "manifest.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(manifest), cancellationToken);
        Console.WriteLine($"wrote {path}");
        return 0;
    }

}
