using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>
/// Precise BatchNorm (Wu &amp; Johnson, "Rethinking 'Batch' in BatchNorm", 2021): after training,
/// every BatchNorm layer's running statistics are recomputed as the plain average of their batch
/// statistics over a number of training batches run the way evaluation runs the head — a plain
/// forward pass, so for SDTC nothing masked. A head trained on masked tokens otherwise evaluates
/// with statistics of masked features (its running averages only ever saw those).
/// </summary>
public static class BatchNormRecalibration
{
    /// <summary>
    /// Recomputes the running mean and variance of every BatchNorm layer in <paramref name="head"/>
    /// as the average over <paramref name="batches"/> batches (batch i from <paramref name="batch"/>);
    /// parameters are untouched. Returns how many layers it recalibrated (0 for a head without
    /// BatchNorm, which it leaves as it was).
    /// </summary>
    public static int Recalibrate(TemporalHead head, int batches, Func<int, WindowBatch> batch)
    {
        var layers = head.modules().OfType<BatchNorm>().Where(l => l.running_mean is not null && l.running_var is not null).ToList();
        if (layers.Count == 0 || batches <= 0)
        {
            return 0;
        }

        var momenta = layers.Select(l => l.momentum).ToList();
        var wasTraining = head.training;
        head.train();
        using (no_grad())
        {
            foreach (var layer in layers)
            {
                layer.running_mean!.zero_();
                layer.running_var!.fill_(1);
                layer.num_batches_tracked?.zero_();
            }

            for (var i = 0; i < batches; i++)
            {
                // running ← (1 − 1/(i+1))·running + 1/(i+1)·batch: after n batches, the mean of their statistics.
                foreach (var layer in layers)
                {
                    layer.momentum = 1.0 / (i + 1);
                }

                using var scope = NewDisposeScope();
                using var input = batch(i);
                using var output = head.call(input.Features, input.Heatmaps);
            }
        }

        for (var l = 0; l < layers.Count; l++)
        {
            layers[l].momentum = momenta[l];
        }

        if (!wasTraining)
        {
            head.eval();
        }

        return layers.Count;
    }
}
