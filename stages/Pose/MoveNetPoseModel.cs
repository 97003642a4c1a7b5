using System.Security.Cryptography;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose;

/// <summary>MoveNet behind the pose-model interface: a single-frame model (δ = 0).</summary>
public sealed class MoveNetPoseModel : IPoseModel
{
    private readonly MoveNet movenet;

    public MoveNetPoseModel(string modelJsonPath, Device? device = null)
    {
        movenet = new MoveNet(modelJsonPath, device);
        WeightsHash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.ChangeExtension(modelJsonPath, ".bin"))));
    }

    public string Name => movenet.Name;

    public string WeightsHash { get; }

    public int InputSize => movenet.InputSize;

    public int Radius => 0;

    public Device Device => movenet.Device;

    public Tensor Predict(Tensor windows)
    {
        using var scope = NewDisposeScope();
        var yxs = movenet.Predict(windows.select(1, 0));
        return scope.MoveToOuter(stack([yxs.select(2, 1), yxs.select(2, 0), yxs.select(2, 2)], 2));
    }

    public void Dispose() => movenet.Dispose();
}
