using Pipeline.Stages.Pose.Temporal;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

/// <summary>What the tests of every temporal head share: backbone-shaped random inputs, the FLOP budget, a few training steps.</summary>
internal static class TemporalHeadInputs
{
    /// <summary>Half of MoveNet Thunder's backbone (≈ 2.4 GFLOPs at 256²): the ceiling for a head.</summary>
    public const long FlopBudget = 1_200_000_000;

    /// <summary>Features [B, T, 24, 64, 64] (after the backbone's ReLU) and heatmaps [B, T, 17, 64, 64] in 0–1, seeded.</summary>
    public static (Tensor Features, Tensor Heatmaps) Random(int batch, TemporalHead head, int size = 64)
    {
        var generator = new Generator(7);
        var features = randn([batch, head.Window, head.FeatureChannels, size, size], generator: generator).relu();
        var heatmaps = rand([batch, head.Window, head.Joints, size, size], generator: generator);
        return (features, heatmaps);
    }

    /// <summary>FLOPs of one forward pass on one window.</summary>
    public static long FlopsPerWindow(TemporalHead head) => FlopCounter.PerWindow(head);

    /// <summary>
    /// Names of the parameters without a gradient on the last of <paramref name="steps"/> Adam steps on random targets.
    /// A head's identity start blocks some gradients on the first steps (each zero-initialised layer on a path holds
    /// back what lies behind it for one step), so a test gives the longest path's count of such layers plus some.
    /// </summary>
    public static List<string> ParametersWithoutGradient(TemporalHead head, int steps, int batch = 1)
    {
        using var scope = NewDisposeScope();
        var (features, heatmaps) = Random(batch, head);
        var (targets, weights) = (rand(batch, head.Joints, 64, 64), ones(batch, head.Joints));
        using var optimizer = optim.Adam(head.parameters(), 1e-3);
        var untouched = new List<string>();
        for (var step = 0; step < steps; step++)
        {
            optimizer.zero_grad();
            using (var _ = NewDisposeScope())
            {
                using var result = head.call(features, heatmaps);
                head.Loss(result, targets, weights).backward();
            }

            untouched = [.. head.named_parameters()
                .Where(p => p.parameter.grad is null || p.parameter.grad.abs().sum().ToSingle() == 0)
                .Select(p => p.name)];
            optimizer.step();
        }

        return untouched;
    }
}
