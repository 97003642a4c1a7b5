using System.Globalization;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>Settings of one training run; everything but <see cref="MaxMinutes"/> must match when a run is resumed.</summary>
public sealed class TrainingOptions
{
    /// <summary>Optimiser steps in all (default 2,000, as the shipped weights: about 17 minutes for FaSRnet at batch 8 on two cores).</summary>
    public int Steps { get; set; } = 2000;

    /// <summary>Windows per step (default 8).</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>AdamW's peak learning rate (default 1e-3), reached after <see cref="WarmupSteps"/> and decayed to 0 on a cosine.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>AdamW's decoupled weight decay (default 1e-4).</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Linear warm-up steps (default 100).</summary>
    public int WarmupSteps { get; set; } = 100;

    /// <summary>Seeds initialisation and every step's window draw (default 1).</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Chance that a window's key frame is a degraded version (default 0.8).</summary>
    public double KeyDegradedProbability { get; set; } = 0.8;

    /// <summary>
    /// Chance that each neighbour, independently, is a degraded version (default 0.6, as every shipped
    /// head: 0.3 → 0.6 raised the all-degraded gains of FaSRnet and DSA, 0.9 lowered them — README,
    /// "Temporal models"). A head learns to use its neighbours from windows where one is cleaner than the key.
    /// </summary>
    public double NeighbourDegradedProbability { get; set; } = 0.6;

    /// <summary>Wall-clock cap in minutes (default none): the run checkpoints and stops, and <c>--resume</c> continues it.</summary>
    public double? MaxMinutes { get; set; }

    /// <summary>
    /// Training batches over which every BatchNorm layer's statistics are recomputed after the last step,
    /// with the head run as evaluation runs it (default 200; 0 keeps the running averages; heads without
    /// BatchNorm are left as they are). SDTC trains on masked tokens, so its running averages saw only
    /// masked motion features (<see cref="BatchNormRecalibration"/>).
    /// </summary>
    public int BatchNormRecalibrationBatches { get; set; } = 200;

    /// <summary>Steps between checkpoints (default 200).</summary>
    public int CheckpointEvery { get; set; } = 200;

    /// <summary>Steps between validations (default 500; also at the end).</summary>
    public int ValidateEvery { get; set; } = 500;

    /// <summary>Steps between progress lines (default 20).</summary>
    public int LogEvery { get; set; } = 20;

    public void Validate()
    {
        Require(Steps > 0, $"--steps must be positive, not {Steps}");
        Require(BatchSize > 0, $"--batch-size must be positive, not {BatchSize}");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), $"--lr must be a positive number, not {LearningRate}");
        Require(WeightDecay >= 0, $"weight decay must not be negative, not {WeightDecay}");
        Require(WarmupSteps >= 0, $"warm-up steps must not be negative, not {WarmupSteps}");
        Require(KeyDegradedProbability is >= 0 and <= 1 && NeighbourDegradedProbability is >= 0 and <= 1, "degradation probabilities lie in 0–1");
        Require(MaxMinutes is null or > 0, $"--max-minutes must be positive, not {MaxMinutes}");
        Require(BatchNormRecalibrationBatches >= 0, $"--recalibrate-batchnorm must not be negative, not {BatchNormRecalibrationBatches}");
        Require(CheckpointEvery > 0 && ValidateEvery > 0 && LogEvery > 0, "checkpoint, validation and progress intervals must be positive");
    }

    /// <summary>The settings a resumed run must share with the run it continues, as text (stored in the checkpoint).</summary>
    public string Fingerprint() => string.Create(CultureInfo.InvariantCulture,
        $"steps={Steps} batch={BatchSize} lr={LearningRate:R} wd={WeightDecay:R} warmup={WarmupSteps} seed={Seed} pkey={KeyDegradedProbability:R} pneighbour={NeighbourDegradedProbability:R}");

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
