using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Continuity;

/// <summary>
/// E_Z, the semantic alignment encoder (Eq. 1): one frame's tokens through an MHSA block and an
/// MLP-Mixer block, averaged over the tokens and projected to the M-dimensional semantic embedding Z.
/// Z is scaled to unit length (a deviation: the paper does not say how Z is scaled; on the unit sphere
/// the contrastive margin α has a fixed meaning, and Z cannot shrink to meet it).
/// </summary>
public sealed class SemanticAlignmentEncoder : nn.Module<Tensor, Tensor>
{
    private readonly TransformerBlock attention;
    private readonly MixerBlock mixer;
    private readonly LayerNorm norm;
    private readonly Linear projection;

    public SemanticAlignmentEncoder(string name, int tokens, int width, int heads, int embedding)
        : base(name)
    {
        attention = new TransformerBlock("MHSA", width, heads);
        mixer = new MixerBlock("mixer", tokens, width, tokenHidden: tokens / 2, channelHidden: 2 * width);
        norm = nn.LayerNorm(width);
        projection = nn.Linear(width, embedding);
        RegisterComponents();
    }

    /// <summary>Tokens [S, N, D] (one frame each) → Z [S, M], ‖Z‖ = 1.</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var pooled = norm.call(mixer.call(attention.call(tokens)).mean([1]));
        return nn.functional.normalize(projection.call(pooled), dim: -1).MoveToOuterDisposeScope();
    }
}
