using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>
/// SMML's self-feature refinement (Eqs. 6–8, after OCR): context maps O = softmax over the channels
/// of X̄ [C, HW]; context features OC = X̄ ⊗ Oᵀ [C, C]; each pixel's relation to the contexts,
/// softmax(X̄ᵀ ⊗ OC / √C) [HW, C], brings them back, ⊗ OCᵀ, and a 1×1 conv gives the refined X̄̄.
/// Deviation: the relation is scaled by 1/√C before its softmax (as OCR's attention is); the paper's
/// unscaled product saturates the softmax.
/// </summary>
public sealed class SelfFeatureRefinement : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly double scale;

    public SelfFeatureRefinement(string name, int channels)
        : base(name)
    {
        conv = nn.Conv2d(channels, channels, 1);
        scale = 1 / Math.Sqrt(channels);
        RegisterComponents();
    }

    /// <summary>X̄ [B, C, h, w] → X̄̄ [B, C, h, w].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, c, h, w) = (x.size(0), x.size(1), x.size(2), x.size(3));
        var flat = x.view(b, c, h * w);                                   // X̄ [B, C, HW]
        var contexts = flat.softmax(1);                                   // O (Eq. 6)
        var features = flat.bmm(contexts.transpose(1, 2));                // OC = X̄ ⊗ Oᵀ [B, C, C] (Eq. 7)
        var relation = (flat.transpose(1, 2).bmm(features) * scale).softmax(-1); // [B, HW, C]
        var refined = relation.bmm(features.transpose(1, 2));            // [B, HW, C] (Eq. 8)
        return conv.call(refined.transpose(1, 2).reshape(b, c, h, w)).MoveToOuterDisposeScope();
    }
}
