using System.CommandLine;
using System.Globalization;
using Pipeline.Cli.Temporal;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Pose.Temporal.Training;

namespace Pipeline.Cli.Commands;

/// <summary>`train`: a temporal head by self-distillation on a video (default the sample's frames 0–599, validated on 600–794), or on a PoseTrack dataset's labels.</summary>
internal static class TrainCommand
{
    /// <summary>The training cache's versions: the clean crop (the teacher's) and three degraded ones of random kind and severity.</summary>
    public static readonly string[] TrainVersions = ["clean", "random", "random", "random"];

    /// <summary>The held-out cache's versions, shared with `bench temporal`.</summary>
    public static readonly string[] HeldOutVersions = ["clean", "severity-1", "severity-2", "severity-3", "low-bitrate"];

    /// <summary>The held-out versions of a PoseTrack validation split: as <see cref="HeldOutVersions"/> without the re-encoded one (a labelled cache of many sequences has none).</summary>
    public static readonly string[] PoseTrackHeldOutVersions = ["clean", "severity-1", "severity-2", "severity-3"];

    public const string DefaultTrainFrames = "0-599";
    public const string DefaultHeldOutFrames = "600-794";

    public static Command Create()
    {
        var defaults = new TrainingOptions();
        var model = new Option<string>("--model") { Description = "Temporal model to train.", Required = true };
        model.AcceptOnlyFromAmong(TemporalModels.Names);
        var input = new Option<FileInfo>("--input", "-i") { Description = $"Training video, or a folder of numbered images (decoded at {FrameFolder.DefaultFrameRate} frames/s) (default the sample {PrelabelCommand.SampleVideo}).", DefaultValueFactory = _ => new FileInfo(PrelabelCommand.SampleVideo) };
        var frames = new Option<string>("--frames") { Description = "Training frames a-b.", DefaultValueFactory = _ => DefaultTrainFrames };
        var heldOut = new Option<string>("--validation-frames") { Description = "Held-out frames a-b of the same video for validation.", DefaultValueFactory = _ => DefaultHeldOutFrames };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Weights file (.safetensors). Default: infra/models/temporal/MODEL.safetensors (MODEL-key-copies for --neighbours key-copies); the checkpoint is OUTPUT.checkpoint." };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps in all.", DefaultValueFactory = _ => defaults.Steps };
        var batch = new Option<int>("--batch-size") { Description = "Windows per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<double?>("--lr") { Description = "Peak AdamW learning rate (cosine decay after warm-up); default per model: 1e-3 for the convolutional heads (fasrnet, dsa and their -s8 variants), 3e-4 for the transformer heads (vremd, continuity, sdtc and their ablations)." };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation, window draws and degradations.", DefaultValueFactory = _ => defaults.Seed };
        var maxMinutes = new Option<double?>("--max-minutes") { Description = "Wall-clock cap: checkpoint and stop; --resume continues." };
        var resume = new Option<bool>("--resume") { Description = "Continue from OUTPUT.checkpoint exactly as if never stopped (same settings required)." };
        var neighbours = new Option<string>("--neighbours") { Description = "track: the real neighbour frames; key-copies: every slot the key frame (the δ = 0 control).", DefaultValueFactory = _ => "track" };
        neighbours.AcceptOnlyFromAmong("track", "key-copies");
        var cache = new Option<DirectoryInfo?>("--cache") { Description = $"Backbone cache root (default {TemporalData.DefaultCacheRoot})." };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var neighbourDegradation = new Option<double>("--neighbour-degradation") { Description = $"Probability that each neighbour frame of a window is degraded (default {defaults.NeighbourDegradedProbability}); the key frame's is {defaults.KeyDegradedProbability}. With --neighbours key-copies every slot holds the key's version, so this changes only which random draws are made, not the data's distribution.", DefaultValueFactory = _ => defaults.NeighbourDegradedProbability };
        var recalibrate = new Option<int>("--recalibrate-batchnorm") { Description = "Training batches over which BatchNorm statistics are recomputed after the last step, the head run as evaluation runs it (SDTC trains on masked tokens; 0: keep the running averages; heads without BatchNorm ignore it).", DefaultValueFactory = _ => defaults.BatchNormRecalibrationBatches };
        var validationWindows = new Option<int>("--validation-windows") { Description = "Held-out windows validated on (0: none).", DefaultValueFactory = _ => 256 };
        var posetrack = new Option<DirectoryInfo?>("--posetrack")
        {
            Description = "Train on human labels instead: a PoseTrack dataset root with annotations/train/*.json (PoseTrack18 or 17; annotations/val/*.json, when there, for validation) "
                + "and the frame folders their image names point to (images/train/SEQUENCE/…). Replaces --input and --frames; eyes and ears, which PoseTrack does not annotate, are left out of the loss. "
                + "Default output: out/models/MODEL-posetrack.safetensors.",
        };
        var command = new Command("train", "Train a temporal pose head: by self-distillation (single-frame Thunder on clean frames teaches the head on degraded ones), or on PoseTrack's human labels (--posetrack).")
        {
            model, input, frames, heldOut, output, steps, batch, lr, seed, maxMinutes, resume, neighbours, neighbourDegradation, recalibrate, cache, device, validationWindows, posetrack,
        };
        command.SetAction((r, ct) =>
        {
            var options = new TrainingOptions
            {
                Steps = r.GetValue(steps),
                BatchSize = r.GetValue(batch),
                LearningRate = r.GetValue(lr) ?? TemporalModels.LearningRate(r.GetValue(model)!),
                Seed = r.GetValue(seed),
                MaxMinutes = r.GetValue(maxMinutes),
                NeighbourDegradedProbability = r.GetValue(neighbourDegradation),
                BatchNormRecalibrationBatches = r.GetValue(recalibrate),
            };
            var source = r.GetValue(neighbours) == "key-copies" ? NeighbourSource.KeyCopies : NeighbourSource.Track;
            var name = r.GetValue(model)!;
            var dataset = r.GetValue(posetrack)?.FullName;
            if (dataset is not null && new Option[] { input, frames, heldOut }.FirstOrDefault(o => r.GetResult(o) is { Implicit: false }) is { } clash)
            {
                Console.Error.WriteLine($"train: --posetrack replaces {clash.Name}: its sequences and splits are the training and validation data");
                return Task.FromResult(RunFlags.UsageExitCode);
            }

            var weights = r.GetValue(output)?.FullName ?? (dataset is null ? DefaultWeights(name, source) : PoseTrackWeights(name, source));
            var data = new TrainingData(r.GetValue(input)!.FullName, r.GetValue(frames)!, r.GetValue(heldOut)!, dataset);
            return RunAsync(name, source, data, weights, options, r.GetValue(resume),
                r.GetValue(cache)?.FullName ?? TemporalData.DefaultCacheRoot, r.GetValue(device)!, r.GetValue(validationWindows), ct);
        });
        return command;
    }

    /// <summary>Where shipped weights live: infra/models/temporal.</summary>
    public static string WeightsFolder => Path.Combine(RepositoryPaths.Find(Path.Combine("infra", "models")), "temporal");

    /// <summary>infra/models/temporal/NAME.safetensors (NAME-key-copies for the control).</summary>
    public static string DefaultWeights(string model, NeighbourSource source) =>
        Path.Combine(WeightsFolder, model + (source == NeighbourSource.KeyCopies ? "-key-copies" : "") + ".safetensors");

    /// <summary>out/models/NAME-posetrack.safetensors (NAME-posetrack-key-copies for the control): PoseTrack-trained weights are not the shipped ones.</summary>
    public static string PoseTrackWeights(string model, NeighbourSource source) =>
        Path.Combine("out", "models", model + "-posetrack" + (source == NeighbourSource.KeyCopies ? "-key-copies" : "") + ".safetensors");

    /// <summary>Where training windows come from: frame ranges of one video, or a PoseTrack dataset (when <paramref name="PoseTrack"/> is set).</summary>
    private sealed record TrainingData(string Video, string TrainFrames, string HeldOutFrames, string? PoseTrack);

    private static async Task<(BackboneCache Train, BackboneCache? HeldOut)> OpenCachesAsync(TrainingData data, bool validate, int seed, string cacheRoot, TorchSharp.torch.Device device, CancellationToken cancellationToken)
    {
        if (data.PoseTrack is { } root)
        {
            var training = (await PoseTrackTrainingData.OpenAsync(root, "train", required: true, TrainVersions, seed, cacheRoot, device, cancellationToken))!;
            BackboneCache? validation;
            try
            {
                validation = validate ? await PoseTrackTrainingData.OpenAsync(root, "val", required: false, PoseTrackHeldOutVersions, seed, cacheRoot, device, cancellationToken) : null;
            }
            catch
            {
                training.Dispose();
                throw;
            }

            if (validate && validation is null)
            {
                Console.Error.WriteLine($"train: {PoseTrackTrainingData.AnnotationFolder(root, "val")} does not exist: no validation");
            }

            return (training, validation);
        }

        var train = await TemporalData.OpenAsync(data.Video, TemporalData.ParseFrames(data.TrainFrames, "--frames"), TrainVersions, seed, cacheRoot, device, cancellationToken);
        try
        {
            var heldOut = validate ? await TemporalData.OpenAsync(data.Video, TemporalData.ParseFrames(data.HeldOutFrames, "--validation-frames"), HeldOutVersions, seed, cacheRoot, device, cancellationToken) : null;
            return (train, heldOut);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static async Task<int> RunAsync(string model, NeighbourSource source, TrainingData data, string weights, TrainingOptions options, bool resume, string cacheRoot, string deviceName, int validationWindows, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
            var device = Pipeline.Torch.TorchDevices.Parse(deviceName);
            var checkpoint = weights + ".checkpoint";
            if (resume && !File.Exists(checkpoint))
            {
                throw new ArgumentException($"--resume: no checkpoint {checkpoint}; start without --resume");
            }

            if (!resume && File.Exists(checkpoint))
            {
                throw new ArgumentException($"{checkpoint} exists: pass --resume to continue that run, or delete it to start afresh");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
            var (trainCache, heldOutCache) = await OpenCachesAsync(data, validationWindows > 0, options.Seed, cacheRoot, device, cancellationToken);
            using var disposeTrain = trainCache;
            using var disposeHeldOut = heldOutCache;
            var radius = TemporalModels.Radius(model);
            var trainWindows = new WindowAssembler(trainCache, radius, source);
            var heldOut = heldOutCache is null ? null : new WindowAssembler(heldOutCache, radius, source);
            var validation = heldOut is null ? [] : ValidationRequests(heldOut, validationWindows);
            using var trainer = new TemporalTrainer(model, trainWindows, heldOut, validation, options, new StderrProgress(), device);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"train {model} ({source}, {(trainCache.HumanLabelled ? "on PoseTrack's labels" : "self-distillation")}): {trainCache.Items.Count} person-frames, {options.Steps} steps × {options.BatchSize} windows, lr {options.LearningRate}, seed {options.Seed}; head {trainer.Head.parameters().Sum(p => p.numel()):N0} parameters, {FlopCounter.PerWindow(trainer.Head) / 1e9:F3} GFLOPs per window"));
            var start = resume ? trainer.LoadCheckpoint(checkpoint) : 0;
            if (resume)
            {
                Console.Error.WriteLine($"resuming {checkpoint} at step {start}");
            }

            var result = trainer.Train(checkpoint, start, cancellationToken);
            TemporalWeights.Save(weights, trainer.Head, Metadata(source, result, options));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(result.Complete ? "trained" : "partly trained")}: {weights} (step {result.Step}/{result.Steps}, train loss {result.TrainLoss:E3}, validation loss {result.ValidationLoss:E3}, AP {result.ValidationAp:F1}, {result.Elapsed.TotalMinutes:F1} min)"));
            if (result.Complete)
            {
                File.Delete(checkpoint);
                return 0;
            }

            Console.Error.WriteLine($"continue with the same command and --resume");
            return cancellationToken.IsCancellationRequested ? RunFlags.InterruptedExitCode : 0;
        }
        catch (Exception e) when (RunFlags.IsUsageError(e) || e is InvalidDataException)
        {
            Console.Error.WriteLine($"train: {e.Message}");
            return RunFlags.ExitCode(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("train: interrupted while building the backbone cache; run the same command again");
            return RunFlags.InterruptedExitCode;
        }
    }

    /// <summary>Fixed held-out windows: key frame at severity 2 (random kind), neighbours clean; drawn with a fixed seed.</summary>
    public static IReadOnlyList<WindowRequest> ValidationRequests(WindowAssembler heldOut, int count)
    {
        var keys = Enumerable.Range(0, heldOut.Cache.Items.Count).Where(heldOut.Cache.Teaches).ToList();
        var degraded = Array.IndexOf(heldOut.Cache.Index.Description.Versions, "severity-2");
        var draw = new Random(20261201);
        var chosen = keys.OrderBy(_ => draw.Next()).Take(count).Order();
        return [.. chosen.Select(k => new WindowRequest(k, [.. Enumerable.Range(0, heldOut.Window).Select(slot => slot == heldOut.Radius ? Math.Max(degraded, 0) : 0)]))];
    }

    private static Dictionary<string, string> Metadata(NeighbourSource source, TrainingResult result, TrainingOptions options) => new()
    {
        [TemporalWeights.NeighboursKey] = source.ToString(),
        [TemporalWeights.BackboneKey] = TemporalData.BackboneHash(ModelStore.Default),
        [TemporalWeights.CommandKey] = "./run.sh " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
        ["git_commit"] = TemporalData.GitCommit(),
        ["settings"] = options.Fingerprint(),
        ["step"] = result.Step.ToString(CultureInfo.InvariantCulture),
        ["complete"] = result.Complete ? "true" : "false",
        ["train_loss"] = result.TrainLoss.ToString("E4", CultureInfo.InvariantCulture),
        ["validation_loss"] = result.ValidationLoss?.ToString("E4", CultureInfo.InvariantCulture) ?? "",
        ["validation_ap"] = result.ValidationAp?.ToString("F2", CultureInfo.InvariantCulture) ?? "",
        ["minutes"] = result.Elapsed.TotalMinutes.ToString("F1", CultureInfo.InvariantCulture),
        ["batchnorm_recalibration"] = result.RecalibratedLayers > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{result.RecalibratedLayers} layers over {options.BatchNormRecalibrationBatches} training batches after the last step")
            : "none",
    };
}
