using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>
/// The patch-level (and, identical in design, the frame-level) motion encoder of MLSME: joint
/// space-time attention over all T·L tokens (Eq. 2, Fig. 4a), then divided space-time attention
/// (Eq. 3, Fig. 4b): temporal attention TA⁺ among the tokens at the same place in every frame, spatial
/// attention SA⁺ among the tokens of one frame, and a feed-forward network.
/// <code>
/// R [B, T, L, D] → MHSA(Concat_L R) [B, T·L, D] → TA⁺ over [B·L, T, D] → SA⁺ over [B·T, L, D] → FFN → [B, T, L, D]
/// </code>
/// </summary>
public sealed class MotionEncoder : nn.Module<Tensor, Tensor>
{
    private readonly TransformerBlock joint;
    private readonly SelfAttention temporal;
    private readonly SelfAttention spatial;
    private readonly LayerNorm norm;
    private readonly Sequential ffn;

    public MotionEncoder(string name, int width, int heads, int mlpRatio = 2)
        : base(name)
    {
        joint = new TransformerBlock("joint", width, heads, mlpRatio);
        temporal = new SelfAttention("temporal", width, heads);
        spatial = new SelfAttention("spatial", width, heads);
        norm = nn.LayerNorm(width);
        ffn = nn.Sequential(nn.Linear(width, mlpRatio * width), nn.GELU(), nn.Linear(mlpRatio * width, width));
        RegisterComponents();
    }

    /// <summary>Tokens [B, T, L, D] → motion features [B, T, L, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (b, t, l, d) = (tokens.size(0), tokens.size(1), tokens.size(2), tokens.size(3));
        var x = joint.call(tokens.reshape(b, t * l, d)).view(b, t, l, d);
        x = temporal.call(x.permute(0, 2, 1, 3).reshape(b * l, t, d)).view(b, l, t, d).permute(0, 2, 1, 3).reshape(b * t, l, d);
        x = spatial.call(x);
        x = x + ffn.call(norm.call(x));
        return x.view(b, t, l, d).MoveToOuterDisposeScope();
    }
}
