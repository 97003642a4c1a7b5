using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>
/// The spatial-motion cross-attention (Eq. 9, Fig. 4c): queries by a 1×1 conv of the source S,
/// keys and values by 1×1 convs of the guidance G, attention over the pixels,
/// S̃ = φ(S + softmax(QKᵀ/√d)V) with φ = Conv(3×3) → BN → ReLU, d the channel count.
/// </summary>
public sealed class SMCA : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Conv2d query;
    private readonly Conv2d key;
    private readonly Conv2d value;
    private readonly Sequential phi;

    public SMCA(string name, int channels)
        : base(name)
    {
        query = nn.Conv2d(channels, channels, 1);
        key = nn.Conv2d(channels, channels, 1);
        value = nn.Conv2d(channels, channels, 1);
        phi = nn.Sequential(nn.Conv2d(channels, channels, 3, padding: 1), nn.BatchNorm2d(channels), nn.ReLU());
        RegisterComponents();
    }

    /// <summary>Source S and guidance G [B, C, h, w] → S̃ [B, C, h, w].</summary>
    public override Tensor forward(Tensor source, Tensor guidance)
    {
        using var scope = NewDisposeScope();
        var (b, c, h, w) = (source.size(0), source.size(1), source.size(2), source.size(3));
        Tensor Pixels(Conv2d conv, Tensor x) => conv.call(x).view(b, 1, c, h * w).transpose(2, 3); // [B, 1, HW, C]
        var attended = nn.functional.scaled_dot_product_attention(Pixels(query, source), Pixels(key, guidance), Pixels(value, guidance));
        FlopCounter.Add(4 * b * h * w * h * w * c);
        return phi.call(source + attended.transpose(2, 3).reshape(b, c, h, w)).MoveToOuterDisposeScope();
    }
}
