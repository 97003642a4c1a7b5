using Pipeline.Stages.Pose.Temporal;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

/// <summary>Random backbone-shaped inputs for a temporal head: features [B, T, 24, 64, 64], heatmaps [B, T, 17, 64, 64] in 0–1.</summary>
internal static class TemporalHeadInputs
{
    /// <summary>Half of MoveNet Thunder's backbone (≈ 2.4 GFLOPs at 256²): the ceiling for a head.</summary>
    public const long FlopBudget = 1_200_000_000;

    public static (Tensor Features, Tensor Heatmaps) Random(int batch, TemporalHead head, int size = 64)
    {
        var generator = new Generator(7);
        var features = randn([batch, head.Window, head.FeatureChannels, size, size], generator: generator).relu();
        var heatmaps = rand([batch, head.Window, head.Joints, size, size], generator: generator);
        return (features, heatmaps);
    }
}
