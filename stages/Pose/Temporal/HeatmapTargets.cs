using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// The self-distillation targets: Gaussian heatmaps at the teacher's keypoints (single-frame Thunder
/// on the clean crop), each joint weighted by the teacher's confidence — joints below
/// <see cref="MinScore"/> do not count — and the family's heatmap loss, the weighted mean squared error.
/// Heatmaps live at the backbone's stride-4 resolution (64² for a 256² crop), pixel centres at
/// (i + 0.5) / size in crop-normalised coordinates, as the models' own resize ops sample.
/// </summary>
public static class HeatmapTargets
{
    /// <summary>Gaussian σ in heatmap pixels (6 crop pixels at 256²; the family uses 2 at 96×72, i.e. ~8 of 384×288).</summary>
    public const double Sigma = 1.5;

    /// <summary>Teacher joints under this score carry no weight (the temporal bench counts joints ≥ 0.3 too).</summary>
    public const double MinScore = 0.3;

    /// <summary>
    /// Targets [N, 17, size, size] and weights [N, 17] for keypoints [N, 17, 3] given as (x, y, score)
    /// with x, y normalised to the crop (0–1).
    /// </summary>
    public static (Tensor Targets, Tensor Weights) Gaussian(Tensor keypoints, int size, double sigma = Sigma, double minScore = MinScore)
    {
        using var scope = NewDisposeScope();
        var device = keypoints.device;
        var x = (keypoints.select(2, 0) * size - 0.5).unsqueeze(-1).unsqueeze(-1); // [N, 17, 1, 1] in heatmap pixels
        var y = (keypoints.select(2, 1) * size - 0.5).unsqueeze(-1).unsqueeze(-1);
        var grid = arange(size, ScalarType.Float32, device);
        var dx = grid.view(1, 1, 1, size) - x;
        var dy = grid.view(1, 1, size, 1) - y;
        var targets = ((dx * dx + dy * dy) / (-2 * sigma * sigma)).exp();
        var score = keypoints.select(2, 2);
        var weights = score * score.ge(minScore).to(score.dtype);
        return (targets.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    /// <summary>Σⱼ wⱼ · mean((predicted − target)²) / J, averaged over the batch: heatmaps [N, J, h, w], weights [N, J].</summary>
    public static Tensor WeightedMse(Tensor predicted, Tensor targets, Tensor weights)
    {
        using var scope = NewDisposeScope();
        var perJoint = (predicted - targets).square().mean([2, 3]);
        return (perJoint * weights).mean().MoveToOuterDisposeScope();
    }
}
