using System.Diagnostics;
using System.Globalization;
using Pipeline.Stages.Evaluation;
using Pipeline.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>How a training run ended.</summary>
/// <param name="RecalibratedLayers">BatchNorm layers whose statistics were recomputed after the last step (<see cref="TrainingOptions.BatchNormRecalibrationBatches"/>).</param>
public sealed record TrainingResult(int Step, int Steps, double TrainLoss, double? ValidationLoss, double? ValidationAp, TimeSpan Elapsed, int RecalibratedLayers = 0)
{
    public bool Complete => Step >= Steps;
}

/// <summary>
/// Self-distillation of a temporal head on cached backbone outputs: each step draws its windows from
/// the step number and the seed alone (key frame degraded with probability p_key, each neighbour with
/// p_neighbour, independently), so a run resumed from a checkpoint continues exactly as if it had
/// never stopped. AdamW with linear warm-up and a cosine decay to zero; the paper's loss against
/// the teacher's Gaussian targets; checkpoints (head, optimiser state, step) every few hundred steps,
/// at the wall-clock cap and on cancellation; validation loss and AP against the teacher on held-out windows.
/// </summary>
public sealed class TemporalTrainer : IDisposable
{
    private readonly WindowAssembler train;
    private readonly IReadOnlyList<WindowRequest> validation;
    private readonly WindowAssembler? validationAssembler;
    private readonly TrainingOptions options;
    private readonly IProgress<string>? progress;
    private readonly Device device;
    private readonly List<int> keys;
    private readonly int[] degradedVersions;
    private readonly TorchSharp.Modules.AdamW optimizer;

    public TemporalTrainer(string model, WindowAssembler train, WindowAssembler? validationAssembler, IReadOnlyList<WindowRequest> validation, TrainingOptions options, IProgress<string>? progress = null, Device? device = null)
    {
        options.Validate();
        (this.train, this.validationAssembler, this.validation, this.options, this.progress) = (train, validationAssembler, validation, options, progress);
        this.device = device ?? CPU;
        random.manual_seed(options.Seed);
        Head = TemporalModels.Create(model);
        if (Head.Radius != train.Radius)
        {
            throw new ArgumentException($"model '{model}' has δ = {Head.Radius}, the windows δ = {train.Radius}");
        }

        Head.to(this.device);
        keys = [.. Enumerable.Range(0, train.Cache.Items.Count).Where(train.Cache.Teaches)];
        degradedVersions = [.. Enumerable.Range(0, train.Cache.Versions).Where(v => train.Cache.Index.Description.Versions[v] is not ("clean" or "low-bitrate"))];
        if (keys.Count == 0 || degradedVersions.Length == 0)
        {
            throw new ArgumentException($"the training cache has {keys.Count} person-frames with a target joint (a confident teacher joint, or a labelled one) and {degradedVersions.Length} degraded versions; both must be non-zero");
        }

        optimizer = optim.AdamW(Head.parameters(), options.LearningRate, weight_decay: options.WeightDecay);
    }

    public TemporalHead Head { get; }

    /// <summary>The windows of step <paramref name="step"/>: a function of the seed and the step only.</summary>
    public IReadOnlyList<WindowRequest> Draw(int step)
    {
        var draw = new Random(unchecked((options.Seed * 1_000_003) + step));
        var requests = new WindowRequest[options.BatchSize];
        for (var b = 0; b < requests.Length; b++)
        {
            var key = keys[draw.Next(keys.Count)];
            var versions = new int[train.Window];
            for (var slot = 0; slot < versions.Length; slot++)
            {
                var p = slot == train.Radius ? options.KeyDegradedProbability : options.NeighbourDegradedProbability;
                versions[slot] = draw.NextDouble() < p ? degradedVersions[draw.Next(degradedVersions.Length)] : 0;
            }

            requests[b] = new WindowRequest(key, versions);
        }

        return requests;
    }

    /// <summary>The learning rate at a step: linear warm-up, then a cosine from the peak to zero at the last step.</summary>
    public double LearningRate(int step)
    {
        if (step < options.WarmupSteps)
        {
            return options.LearningRate * (step + 1) / options.WarmupSteps;
        }

        var progressed = (double)(step - options.WarmupSteps) / Math.Max(1, options.Steps - options.WarmupSteps);
        return options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progressed));
    }

    /// <summary>
    /// Trains from <paramref name="startStep"/> (0, or a checkpoint's) until the last step, the wall-clock cap or cancellation,
    /// checkpointing to <paramref name="checkpointPath"/>.
    /// </summary>
    public TrainingResult Train(string checkpointPath, int startStep = 0, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var recent = new List<double>();
        double lastLoss = double.NaN;
        double? validationLoss = null, validationAp = null;
        var step = startStep;
        Head.train();
        while (step < options.Steps)
        {
            if (cancellationToken.IsCancellationRequested || (options.MaxMinutes is { } cap && clock.Elapsed.TotalMinutes >= cap))
            {
                progress?.Report($"stopping at step {step}/{options.Steps} ({(cancellationToken.IsCancellationRequested ? "cancelled" : "--max-minutes reached")}); checkpoint {checkpointPath}; continue with --resume");
                break;
            }

            recent.Add(lastLoss = Step(step));
            step++;
            if (step % options.LogEvery == 0 || step == options.Steps)
            {
                var perStep = clock.Elapsed.TotalSeconds / (step - startStep);
                progress?.Report(string.Create(CultureInfo.InvariantCulture,
                    $"step {step}/{options.Steps}  loss {recent.Average():E3}  lr {LearningRate(step - 1):E2}  {perStep:F2} s/step  ETA {TimeSpan.FromSeconds(perStep * (options.Steps - step)):hh\\:mm\\:ss}"));
                recent.Clear();
            }

            if (step % options.ValidateEvery == 0 || step == options.Steps)
            {
                (validationLoss, validationAp) = ValidateOnHeldOut();
                if (validationLoss is { } vl)
                {
                    progress?.Report(string.Create(CultureInfo.InvariantCulture, $"validation at step {step}: loss {vl:E3}, AP {validationAp:F1} against the teacher ({validation.Count} held-out windows)"));
                }
            }

            if (step % options.CheckpointEvery == 0 && step < options.Steps)
            {
                SaveCheckpoint(checkpointPath, step);
            }
        }

        // Only a finished run recalibrates (a stopped one resumes with the running averages it had).
        var recalibrated = step >= options.Steps ? RecalibrateBatchNorm(options.BatchNormRecalibrationBatches) : 0;
        if (recalibrated > 0)
        {
            var before = (validationLoss, validationAp);
            (validationLoss, validationAp) = ValidateOnHeldOut();
            progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"BatchNorm statistics of {recalibrated} layers recomputed on {options.BatchNormRecalibrationBatches} training batches run as evaluation runs the head: validation loss {validationLoss:E3}, AP {validationAp:F1} (running averages: {before.validationLoss:E3}, {before.validationAp:F1})"));
        }

        SaveCheckpoint(checkpointPath, step);
        return new TrainingResult(step, options.Steps, lastLoss, validationLoss, validationAp, clock.Elapsed, recalibrated);
    }

    private double Step(int step)
    {
        using var scope = NewDisposeScope();
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = LearningRate(step);
        }

        using var batch = train.Assemble(Draw(step), device, Head.TrainsOnCleanFeatures);
        optimizer.zero_grad();
        var draw = new Random(unchecked((options.Seed * 1_000_003) + step) ^ 0x5EED); // the step's own stream, apart from Draw's
        using var output = Head.TrainingForward(batch, draw);
        var loss = Head.TrainingLoss(output, batch, draw);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>
    /// Recomputes the head's BatchNorm statistics on <paramref name="batches"/> training batches run
    /// as evaluation runs them (<see cref="BatchNormRecalibration"/>), drawn past the last step so the
    /// result is a function of the seed; returns the number of layers recalibrated (0 without BatchNorm).
    /// </summary>
    public int RecalibrateBatchNorm(int batches) =>
        BatchNormRecalibration.Recalibrate(Head, batches, i => train.Assemble(Draw(options.Steps + i), device));

    /// <summary>Loss and OKS AP against the targets (the teacher, or human labels) on the validation windows (null without any).</summary>
    public (double? Loss, double? Ap) ValidateOnHeldOut()
    {
        if (validationAssembler is null || validation.Count == 0)
        {
            return (null, null);
        }

        Head.eval();
        var pairs = new List<PairedPose>();
        double lossSum = 0;
        using (no_grad())
        {
            foreach (var chunk in validation.Chunk(16))
            {
                using var scope = NewDisposeScope();
                using var batch = validationAssembler.Assemble(chunk, device);
                using var output = Head.call(batch.Features, batch.Heatmaps);
                lossSum += Head.Loss(output, batch.Targets, batch.Weights).item<float>() * chunk.Length;
                var decoded = HeatmapDecoder.Decode(output.Heatmaps).cpu().data<float>().ToArray();
                var perWindow = BackboneCache.Joints * 3;
                pairs.AddRange(chunk.Select((r, i) => TeacherAgreement.Pair(validationAssembler.Cache, r.Key, decoded.AsSpan(i * perWindow, perWindow))));
            }
        }

        Head.train();
        return (lossSum / validation.Count, 100 * KeypointAgreement.AveragePrecision(pairs));
    }

    // ── checkpoints ──────────────────────────────────────────────────────────────────────────────

    private const string StepKey = "step";
    private const string SettingsKey = "settings";
    private const string CacheKey = "train_cache";
    private const string OptimizerTensor = "optimizer";
    private const string HeadPrefix = "head.";

    private void SaveCheckpoint(string path, int step)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }

        using var optimizerState = tensor(buffer.ToArray());
        SafeTensors.Write(path, [.. Head.state_dict().Select(kv => (HeadPrefix + kv.Key, kv.Value)), (OptimizerTensor, optimizerState)], new Dictionary<string, string>
        {
            [TemporalWeights.ModelKey] = Head.GetName(),
            [TemporalWeights.NeighboursKey] = train.Source.ToString(),
            [StepKey] = step.ToString(CultureInfo.InvariantCulture),
            [SettingsKey] = options.Fingerprint(),
            [CacheKey] = BackboneCacheBuilder.Key(train.Cache.Index.Description),
        });
    }

    /// <summary>Restores head and optimiser from a checkpoint made with the same model and settings; returns the step to continue from.</summary>
    public int LoadCheckpoint(string path)
    {
        using var contents = SafeTensors.Read(path);
        var m = contents.Metadata;
        void Same(string key, string expected, string what)
        {
            var stored = m.GetValueOrDefault(key, "(none)");
            if (stored != expected)
            {
                throw new InvalidDataException($"{path}: checkpoint of {what} '{stored}', this run is '{expected}'; resume with the settings it was started with, or start afresh without --resume");
            }
        }

        Same(TemporalWeights.ModelKey, Head.GetName(), "model");
        Same(TemporalWeights.NeighboursKey, train.Source.ToString(), "neighbours");
        Same(SettingsKey, options.Fingerprint(), "settings");
        Same(CacheKey, BackboneCacheBuilder.Key(train.Cache.Index.Description), "training data");
        using (no_grad())
        {
            foreach (var (key, target) in Head.state_dict())
            {
                target.copy_(contents.Tensors.TryGetValue(HeadPrefix + key, out var t) ? t : throw new InvalidDataException($"{path}: checkpoint lacks '{key}'"));
            }
        }

        var bytes = contents.Tensors[OptimizerTensor].data<byte>().ToArray();
        using (var reader = new BinaryReader(new MemoryStream(bytes)))
        {
            optimizer.load_state_dict(reader);
        }

        return int.Parse(m[StepKey], CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        optimizer.Dispose();
        Head.Dispose();
    }
}
