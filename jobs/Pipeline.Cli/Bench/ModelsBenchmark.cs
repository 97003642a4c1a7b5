using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using static TorchSharp.torch;

namespace Pipeline.Cli.Bench;

/// <summary>
/// `bench models`: milliseconds per crop for MoveNet Thunder and Lightning at batch 1 and 8 and per
/// frame for NanoDet, on real frames of the sample video, with the official TF.js runtime (WASM
/// backend, run by Node) timed on the same inputs in the same run.
/// </summary>
internal static class ModelsBenchmark
{
    public static async Task<int> RunAsync(FileInfo video, int frameIndex, int rounds, TextWriter output, CancellationToken cancellationToken)
    {
        var store = ModelStore.Default;
        var image = await StillFrames.ReadAsync(video.FullName, frameIndex, cancellationToken);
        using var detector = new NanoDetDetector(store.GraphModel("nanodet"));
        using var thunder = new MoveNet(store.GraphModel("movenet-thunder"));
        using var lightning = new MoveNet(store.GraphModel("movenet-lightning"));
        // Dispose scopes and inference mode are thread-local: the C# timings run in Measure, and
        // only plain files cross the await that runs TF.js.
        var (results, inputs, peopleCount) = Measure(image, detector, thunder, lightning, rounds);
        if (peopleCount == 0)
        {
            output.WriteLine($"no people detected in frame {frameIndex} of {video.Name}: pick another --frame");
            return 1;
        }

        output.WriteLine($"{video.Name} frame {frameIndex}: {peopleCount} people; libtorch {Pipeline.Torch.TorchRuntime.LibTorchVersion}, {get_num_threads()} threads; medians of {rounds} rounds");
        Dictionary<string, double> tfjs;
        try
        {
            tfjs = await TimeTfjsAsync(store, inputs, rounds, cancellationToken);
        }
        finally
        {
            Directory.Delete(inputs.Folder, recursive: true);
        }

        output.WriteLine();
        output.WriteLine("model              C# ms/item   TF.js WASM ms/item (batch 1)   speed-up");
        void Row(string label, string key, string tfjsKey) =>
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-18} {results[key],10:F1}   {tfjs[tfjsKey],28:F1}   {tfjs[tfjsKey] / results[key],7:F2}x"));
        Row("thunder batch 1", "thunder b1", "thunder");
        Row("thunder batch 8", "thunder b8", "thunder");
        Row("lightning batch 1", "lightning b1", "lightning");
        Row("lightning batch 8", "lightning b8", "lightning");
        Row("nanodet per frame", "nanodet b1", "nanodet");
        var ratio = tfjs["thunder"] / results["thunder b8"];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"goal: Thunder at batch 8 at least 2x faster per crop than TF.js WASM: {(ratio >= 2 ? "met" : "NOT met")} ({ratio:F2}x)"));
        return 0;
    }

    private sealed record TfjsInputs(string Folder, string Thunder, string Lightning, string NanoDet);

    private static (Dictionary<string, double> Results, TfjsInputs Inputs, int People) Measure(RgbImage image, NanoDetDetector detector, MoveNet thunder, MoveNet lightning, int rounds)
    {
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var people = detector.Detect([image])[0];
        if (people.Count == 0)
        {
            return ([], new TfjsInputs(Directory.CreateTempSubdirectory("bench-models-").FullName, "", "", ""), 0);
        }

        var regions = Enumerable.Range(0, 8).Select(i => people[i % people.Count].Box.ToCropRegion()).ToList();
        var thunderCrops = thunder.Crops(image, regions);
        var lightningCrops = lightning.Crops(image, regions);
        // Warm-up: the first runs of each batch size pay for oneDNN's kernel JIT and heap growth.
        double PerItem(Action action, int items) => Timing.MedianSeconds(rounds, action, warmup: 3) * 1e3 / items;
        var results = new Dictionary<string, double>
        {
            ["thunder b1"] = PerItem(() => thunder.Predict(thunderCrops.narrow(0, 0, 1)).Dispose(), 1),
            ["thunder b8"] = PerItem(() => thunder.Predict(thunderCrops).Dispose(), 8),
            ["lightning b1"] = PerItem(() => lightning.Predict(lightningCrops.narrow(0, 0, 1)).Dispose(), 1),
            ["lightning b8"] = PerItem(() => lightning.Predict(lightningCrops).Dispose(), 8),
            ["nanodet b1"] = PerItem(() => detector.Detect([image]), 1),
        };

        var folder = Directory.CreateTempSubdirectory("bench-models-").FullName;
        var inputs = new TfjsInputs(
            folder,
            TensorFiles.Write<int>(MoveNet.GraphInput(thunderCrops.narrow(0, 0, 1)), Path.Combine(folder, "thunder.bin")),
            TensorFiles.Write<int>(MoveNet.GraphInput(lightningCrops.narrow(0, 0, 1)), Path.Combine(folder, "lightning.bin")),
            TensorFiles.Write<float>(detector.Preprocess([image]), Path.Combine(folder, "nanodet.bin")));
        return (results, inputs, people.Count);
    }

    private static async Task<Dictionary<string, double>> TimeTfjsAsync(ModelStore store, TfjsInputs inputs, int rounds, CancellationToken cancellationToken)
    {
        object Run(string model, string input, string dtype, int[] shape, string key) => new
        {
            model = store.GraphModel(model),
            input,
            dtype,
            shape,
            outputs = new[] { "Identity:0" },
            result = Path.Combine(inputs.Folder, key + ".json"),
        };

        var runs = new Dictionary<string, object>
        {
            ["thunder"] = Run("movenet-thunder", inputs.Thunder, "int32", [1, 256, 256, 3], "thunder"),
            ["lightning"] = Run("movenet-lightning", inputs.Lightning, "int32", [1, 192, 192, 3], "lightning"),
            ["nanodet"] = Run("nanodet", inputs.NanoDet, "float32", [1, 3, 416, 416], "nanodet"),
        };

        var job = Path.Combine(inputs.Folder, "job.json");
        await File.WriteAllTextAsync(job, JsonSerializer.Serialize(new { backend = "wasm", threads = Environment.ProcessorCount, repeats = rounds, runs = runs.Values }), cancellationToken);
        var scripts = RepositoryPaths.Find("infra/models");
        var start = new ProcessStartInfo("node") { WorkingDirectory = scripts, RedirectStandardError = true };
        start.ArgumentList.Add("tfjs_reference.mjs");
        start.ArgumentList.Add(job);
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var errors = await node.StandardError.ReadToEndAsync(cancellationToken);
        await node.WaitForExitAsync(cancellationToken);
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"the TF.js reference run failed: {errors}");
        }

        return runs.Keys.ToDictionary(k => k, k =>
        {
            using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(inputs.Folder, k + ".json")));
            return result.RootElement.GetProperty("milliseconds").GetDouble();
        });
    }
}
