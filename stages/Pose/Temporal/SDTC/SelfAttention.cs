using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>A pre-norm multi-head self-attention with its residual, x + MHSA(LN x), over sequences [S, L, D] (TA⁺ and SA⁺ of Eq. 3).</summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly Linear qkv;
    private readonly Linear projection;
    private readonly int heads;

    public SelfAttention(string name, int width, int heads)
        : base(name)
    {
        this.heads = heads;
        norm = nn.LayerNorm(width);
        qkv = nn.Linear(width, 3 * width);
        projection = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <summary>Tokens [S, L, D] → [S, L, D].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = qkv.call(norm.call(x)).chunk(3, -1);
        return (x + projection.call(Attention.Multihead(parts[0], parts[1], parts[2], heads))).MoveToOuterDisposeScope();
    }
}
