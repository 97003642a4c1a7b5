using System.CommandLine;
using Pipeline.Cli.Bench;
using Pipeline.Graph;

namespace Pipeline.Cli.Commands;

/// <summary>`bench &lt;suite&gt;`: prints measured numbers, ratios taken side by side in one run.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var rounds = new Option<int>("--rounds")
        {
            Description = "Interleaved measurement rounds per case (the median is reported).",
            DefaultValueFactory = _ => 7,
        };
        var runtime = new Command("runtime", "Per-op overhead from C#, conv2d and matmul GFLOP/s, and a MobileNetV2 forward pass.")
        {
            rounds,
        };
        runtime.SetAction(result => RuntimeBenchmark.Run(result.GetValue(rounds), Console.Out));

        var video = new Option<FileInfo>("--video")
        {
            Description = "Video to take the frame from.",
            DefaultValueFactory = _ => new FileInfo("/usr/share/doc/opencv-doc/examples/data/vtest.avi"),
        };
        var frame = new Option<int>("--frame") { Description = "Frame index.", DefaultValueFactory = _ => 240 };
        var modelRounds = new Option<int>("--rounds") { Description = "Timed rounds per case (the median is reported).", DefaultValueFactory = _ => 5 };
        var models = new Command("models", "MoveNet Thunder and Lightning (batch 1 and 8) and NanoDet on a real frame, against the official TF.js WASM runtime on the same inputs.")
        {
            video, frame, modelRounds,
        };
        models.SetAction((result, ct) => ModelsBenchmark.RunAsync(result.GetValue(video)!, result.GetValue(frame), result.GetValue(modelRounds), Console.Out, ct));

        var pipelineVideo = new Option<FileInfo>("--video")
        {
            Description = "Sample video.",
            DefaultValueFactory = _ => new FileInfo("/usr/share/doc/opencv-doc/examples/data/vtest.avi"),
        };
        var seconds = new Option<int>("--seconds") { Description = "Length of the clip the stages and the graph are timed on.", DefaultValueFactory = _ => 20 };
        var pipelineModel = new Option<string>("--model") { Description = "Pose model for the throughput part.", DefaultValueFactory = _ => "movenet-thunder" };
        var pipelineWeights = new Option<FileInfo?>("--weights") { Description = "A temporal --model's weights file from `train` (default: the shipped weights); the memory runs use it too when --memory-model is the same model." };
        var detectEvery = new Option<int>("--detect-every") { Description = "--detect-every for the throughput part.", DefaultValueFactory = _ => new PrelabelOptions().DetectEvery };
        var memoryModel = new Option<string>("--memory-model") { Description = "Pose model for the memory runs (whole sample, and the sample four times).", DefaultValueFactory = _ => "movenet-lightning" };
        var memoryDetectEvery = new Option<int>("--memory-detect-every") { Description = "--detect-every for the memory runs (memory does not depend on it; time does).", DefaultValueFactory = _ => 3 };
        var skipMemory = new Option<bool>("--skip-memory") { Description = "Only the throughput part." };
        var pairs = new Option<int>("--pairs") { Description = "With a temporal --model: end-to-end runs of it and of Thunder, in pairs of alternating order; the median ratio is compared with the goal.", DefaultValueFactory = _ => 3 };
        pairs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--pairs must be at least 1");
            }
        });
        var pipeline = new Command("pipeline", "Each stage's throughput alone, the graph end to end, their ratio, and peak memory on the sample vs the sample four times; with a temporal --model also Thunder and key-box mode end to end, and the pose stage's time split into backbone, head and the rest (a GPU's split is only rough: its ops run asynchronously).")
        {
            pipelineVideo, seconds, pipelineModel, pipelineWeights, detectEvery, memoryModel, memoryDetectEvery, skipMemory, pairs,
        };
        pipeline.SetAction((r, ct) => PipelineBenchmark.RunAsync(
            new PipelineBenchmarkSettings(r.GetValue(pipelineVideo)!, r.GetValue(seconds), r.GetValue(pipelineModel)!, r.GetValue(pipelineWeights), r.GetValue(detectEvery), r.GetValue(memoryModel)!, r.GetValue(memoryDetectEvery), r.GetValue(skipMemory), r.GetValue(pairs)),
            Console.Out,
            ct));

        var decodeVideo = new Option<FileInfo>("--video")
        {
            Description = "Video to time and to cut the check clips from.",
            DefaultValueFactory = _ => new FileInfo("/usr/share/doc/opencv-doc/examples/data/vtest.avi"),
        };
        var decodeRounds = new Option<int>("--rounds") { Description = "Interleaved throughput rounds (the median is reported).", DefaultValueFactory = _ => 3 };
        var decode = new Command("decode", "The product's FFmpeg decoder against OpenCV's VideoCapture: the decoder's checks (codecs, variable frame rate, rotation, bad files, damaged frames) and throughput.")
        {
            decodeVideo, decodeRounds,
        };
        decode.SetAction((r, ct) => DecodeBenchmark.RunAsync(r.GetValue(decodeVideo)!, r.GetValue(decodeRounds), Console.Out, ct));

        var temporalVideo = new Option<FileInfo>("--input", "-i") { Description = "Video (or folder of numbered images) the held-out windows come from.", DefaultValueFactory = _ => new FileInfo(PrelabelCommand.SampleVideo) };
        var temporalFrames = new Option<string>("--frames") { Description = "Held-out frames a-b.", DefaultValueFactory = _ => TrainCommand.DefaultHeldOutFrames };
        var temporalWeights = new Option<DirectoryInfo?>("--weights") { Description = "Folder of MODEL.safetensors and MODEL-key-copies.safetensors (default infra/models/temporal)." };
        var temporalModels = new Option<string[]>("--model") { Description = "Temporal models to bench (repeatable; default all).", Arity = ArgumentArity.ZeroOrMore };
        temporalModels.AcceptOnlyFromAmong(Pipeline.Stages.Pose.Temporal.TemporalModels.Names);
        var temporalWindows = new Option<int>("--windows") { Description = "Held-out person-windows, drawn with the seed.", DefaultValueFactory = _ => 300 };
        var temporalSeed = new Option<int>("--seed") { Description = "Seed of the degradations and the window draw.", DefaultValueFactory = _ => 1 };
        var temporalCache = new Option<DirectoryInfo?>("--cache") { Description = $"Backbone cache root (default {Temporal.TemporalData.DefaultCacheRoot})." };
        var resamples = new Option<int>("--resamples") { Description = "Bootstrap resamples per interval.", DefaultValueFactory = _ => 1000 };
        var skipKeyBox = new Option<bool>("--skip-key-box") { Description = "Leave out the key-box rows (the papers' windows, every slot cropped at the key's box: ~2δ+1 backbone passes per window, cut and cached on first use)." };
        var temporal = new Command("temporal", "Temporal models against single-frame Thunder, the averaging baseline, the δ = 0 control and the papers' key-box windows on held-out frames: clean, key frame degraded, every frame degraded (severities 1–3), low-bitrate re-encode.")
        {
            temporalVideo, temporalFrames, temporalWeights, temporalModels, temporalWindows, temporalSeed, temporalCache, resamples, skipKeyBox,
        };
        temporal.SetAction((r, ct) =>
        {
            var weightsFolder = r.GetValue(temporalWeights) ?? new DirectoryInfo(TrainCommand.WeightsFolder);
            return TemporalBenchmark.RunAsync(
            new TemporalBenchSettings(
                r.GetValue(temporalVideo)!,
                r.GetValue(temporalFrames)!,
                weightsFolder,
                r.GetValue(temporalModels) is { Length: > 0 } chosen ? chosen : TrainedModels(weightsFolder),
                r.GetValue(temporalWindows),
                r.GetValue(temporalSeed),
                r.GetValue(temporalCache)?.FullName ?? Temporal.TemporalData.DefaultCacheRoot,
                r.GetValue(resamples),
                !r.GetValue(skipKeyBox)),
            Console.Out,
            ct);
        });

        return new Command("bench", "Benchmarks that print numbers.") { runtime, models, pipeline, decode, temporal };
    }

    /// <summary>The temporal models with a weights file in <paramref name="folder"/> (the default for `bench temporal`); the others are named on stderr.</summary>
    private static string[] TrainedModels(DirectoryInfo folder)
    {
        var (trained, untrained) = (new List<string>(), new List<string>());
        foreach (var name in Pipeline.Stages.Pose.Temporal.TemporalModels.Names)
        {
            (File.Exists(Path.Combine(folder.FullName, name + ".safetensors")) ? trained : untrained).Add(name);
        }

        if (untrained.Count > 0)
        {
            Console.Error.WriteLine($"bench temporal: no weights in {folder.FullName} for {string.Join(", ", untrained)}: left out (train them, or pass --weights)");
        }

        return [.. trained];
    }
}
