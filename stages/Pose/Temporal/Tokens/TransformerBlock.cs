using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Tokens;

/// <summary>
/// A pre-norm transformer block over token sequences [S, L, D]: x + MHSA(LN x), then x + MLP(LN x)
/// (GELU, hidden width ratio × D). Attention is libtorch's scaled dot-product attention; its
/// products (4·S·L²·D FLOPs) are added to <see cref="FlopCounter"/>, whose hooks count the Linear layers.
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Linear qkv;
    private readonly Linear projection;
    private readonly LayerNorm norm2;
    private readonly Sequential mlp;
    private readonly int heads;

    public TransformerBlock(string name, int width, int heads, int mlpRatio = 2)
        : base(name)
    {
        this.heads = heads;
        norm1 = nn.LayerNorm(width);
        qkv = nn.Linear(width, 3 * width);
        projection = nn.Linear(width, width);
        norm2 = nn.LayerNorm(width);
        mlp = nn.Sequential(nn.Linear(width, mlpRatio * width), nn.GELU(), nn.Linear(mlpRatio * width, width));
        RegisterComponents();
    }

    /// <summary>Tokens [S, L, D] → [S, L, D].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = qkv.call(norm1.call(x)).chunk(3, -1);
        var attended = Attention.Multihead(parts[0], parts[1], parts[2], heads);
        x = x + projection.call(attended);
        return (x + mlp.call(norm2.call(x))).MoveToOuterDisposeScope();
    }
}

/// <summary>Stacks of transformer blocks: built by depth, applied in order.</summary>
public static class TransformerStack
{
    /// <summary><paramref name="depth"/> blocks named <paramref name="prefix"/>0, <paramref name="prefix"/>1, ….</summary>
    public static ModuleList<TransformerBlock> Create(string prefix, int depth, int width, int heads) =>
        nn.ModuleList([.. Enumerable.Range(0, depth).Select(i => new TransformerBlock($"{prefix}{i}", width, heads))]);

    /// <summary>Tokens [S, L, D] through every block of the stack.</summary>
    public static Tensor Through(this ModuleList<TransformerBlock> blocks, Tensor x)
    {
        foreach (var block in blocks)
        {
            x = block.call(x);
        }

        return x;
    }
}

/// <summary>Multi-head scaled dot-product attention on projected tokens, with its FLOPs counted.</summary>
public static class Attention
{
    /// <summary>Queries [S, Lq, D], keys and values [S, Lk, D] → [S, Lq, D], in <paramref name="heads"/> heads of D / heads channels.</summary>
    public static Tensor Multihead(Tensor query, Tensor key, Tensor value, int heads)
    {
        using var scope = NewDisposeScope();
        var (s, lq, lk, d) = (query.size(0), query.size(1), key.size(1), query.size(2));
        Tensor Split(Tensor t, long length) => t.view(s, length, heads, d / heads).transpose(1, 2);
        var output = nn.functional.scaled_dot_product_attention(Split(query, lq), Split(key, lk), Split(value, lk));
        FlopCounter.Add(4 * s * lq * lk * d);
        return output.transpose(1, 2).reshape(s, lq, d).MoveToOuterDisposeScope();
    }
}
