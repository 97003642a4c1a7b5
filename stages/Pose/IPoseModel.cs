using static TorchSharp.torch;

namespace Pipeline.Stages.Pose;

/// <summary>
/// What the pose workers run: a batch of per-person frame windows in, keypoints out. Single-frame
/// models have <see cref="Radius"/> 0; temporal models see frames t−δ … t+δ around the key frame t.
/// </summary>
public interface IPoseModel : IDisposable
{
    /// <summary>Name recorded with every row (e.g. "movenet-thunder").</summary>
    string Name { get; }

    /// <summary>SHA-256 of the weights file, recorded with every row.</summary>
    string WeightsHash { get; }

    /// <summary>Side of the square crops the model takes.</summary>
    int InputSize { get; }

    /// <summary>δ: frames on each side of the key frame (0 for single-frame models).</summary>
    int Radius { get; }

    Device Device { get; }

    /// <summary>
    /// Windows [B, 2δ+1, 3, S, S] (RGB 0–255, the key frame in the middle) → keypoints [B, 17, 3] as
    /// (x, y, score) with x and y normalised to the crop (0–1).
    /// </summary>
    Tensor Predict(Tensor windows);
}
