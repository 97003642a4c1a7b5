using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>
/// SMML's adaptive feature fusion (Eqs. 11–13): A = Conv-BN-ReLU(R̃ ⊕ M̃); pixel-wise attention
/// A_S = sigmoid(FC_S(A)), A_M = sigmoid(FC_M(A)) — fully connected over the channels at each pixel
/// (1×1 convs); F = A_S · Conv(R̃) + A_M · Conv(M̃).
/// </summary>
public sealed class AdaptiveFeatureFusion : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential aggregate;
    private readonly Conv2d spatialWeights;
    private readonly Conv2d motionWeights;
    private readonly Conv2d spatialConv;
    private readonly Conv2d motionConv;

    public AdaptiveFeatureFusion(string name, int channels)
        : base(name)
    {
        aggregate = nn.Sequential(nn.Conv2d(2 * channels, channels, 3, padding: 1), nn.BatchNorm2d(channels), nn.ReLU());
        spatialWeights = nn.Conv2d(channels, channels, 1);
        motionWeights = nn.Conv2d(channels, channels, 1);
        spatialConv = nn.Conv2d(channels, channels, 3, padding: 1);
        motionConv = nn.Conv2d(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>R̃ and M̃ [B, C, h, w] → F [B, C, h, w].</summary>
    public override Tensor forward(Tensor spatial, Tensor motion)
    {
        using var scope = NewDisposeScope();
        var a = aggregate.call(cat([spatial, motion], 1));
        var fused = (spatialWeights.call(a).sigmoid() * spatialConv.call(spatial)) + (motionWeights.call(a).sigmoid() * motionConv.call(motion));
        return fused.MoveToOuterDisposeScope();
    }
}
