using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>
/// PyTorch's nn.MultiheadAttention (same parameter names and masks): packed input projection
/// <c>in_proj_weight</c> [3E, E], output projection <c>out_proj</c>. Inputs are [L, N, E], or
/// [N, L, E] with <c>batch_first</c>. Boolean masks mark positions that must NOT be attended
/// (as PyTorch's MHA); float masks are added to the scores.
/// </summary>
public sealed class MultiheadAttention : nn.Module
{
    public MultiheadAttention(long embed_dim, long num_heads, double dropout = 0, bool bias = true, bool batch_first = false, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(MultiheadAttention))
    {
        if (embed_dim % num_heads != 0)
        {
            throw new ArgumentException($"MultiheadAttention: embed_dim {embed_dim} must divide by num_heads {num_heads}");
        }

        this.embed_dim = embed_dim;
        this.num_heads = num_heads;
        this.dropout = dropout;
        this.batch_first = batch_first;
        using (var w = empty([3 * embed_dim, embed_dim], dtype, device))
        {
            in_proj_weight = new nn.Parameter(nn.init.xavier_uniform_(w));
        }

        if (bias)
        {
            using var b = zeros([3 * embed_dim], dtype, device);
            in_proj_bias = new nn.Parameter(b);
        }

        out_proj = new Linear(embed_dim, embed_dim, bias, device, dtype);
        if (out_proj.bias is not null)
        {
            nn.init.zeros_(out_proj.bias);
        }

        RegisterComponents();
    }

    public long embed_dim { get; }

    public long num_heads { get; }

    public double dropout { get; }

    public bool batch_first { get; }

    public nn.Parameter in_proj_weight { get; }

    public nn.Parameter? in_proj_bias { get; }

    public Linear out_proj { get; }

    /// <summary>Returns the attended output and, if <paramref name="need_weights"/>, the attention weights [N, L, S] (averaged over heads) or [N, H, L, S].</summary>
    public (Tensor output, Tensor? weights) forward(Tensor query, Tensor key, Tensor value, Tensor? key_padding_mask = null, bool need_weights = true, Tensor? attn_mask = null, bool average_attn_weights = true)
    {
        using var scope = NewDisposeScope();
        var (q, k, v) = batch_first ? (query, key, value) : (query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1));
        var n = q.size(0);
        var l = q.size(1);
        var s = k.size(1);
        var headDim = embed_dim / num_heads;
        var weights = in_proj_weight.chunk(3, 0);
        var biases = in_proj_bias?.chunk(3, 0);
        Tensor Project(Tensor x, int i, long length) =>
            nn.functional.linear(x, weights[i], biases?[i]).view(n, length, num_heads, headDim).transpose(1, 2);
        var qh = Project(q, 0, l);
        var kh = Project(k, 1, s);
        var vh = Project(v, 2, s);

        var mask = AdditiveMask(attn_mask, key_padding_mask, n, l, s, qh);
        var scores = qh.matmul(kh.transpose(-2, -1)) * (1.0 / Math.Sqrt(headDim));
        if (mask is not null)
        {
            scores = scores + mask;
        }

        var probabilities = scores.softmax(-1);
        var attended = nn.functional.dropout(probabilities, dropout, training && dropout > 0).matmul(vh);
        var merged = attended.transpose(1, 2).reshape(n, l, embed_dim);
        var output = out_proj.forward(merged);
        if (!batch_first)
        {
            output = output.transpose(0, 1);
        }

        Tensor? returnedWeights = null;
        if (need_weights)
        {
            returnedWeights = scope.MoveToOuter(average_attn_weights ? probabilities.mean(1) : probabilities);
        }

        return (scope.MoveToOuter(output), returnedWeights);
    }

    // Combines the PyTorch-style masks into one float mask broadcastable to [N, H, L, S].
    private Tensor? AdditiveMask(Tensor? attnMask, Tensor? keyPaddingMask, long n, long l, long s, Tensor like)
    {
        Tensor? combined = null;
        if (attnMask is not null)
        {
            var m = ToAdditive(attnMask, like);
            combined = m.dim() == 2 ? m.view(1, 1, l, s) : m.view(n, num_heads, l, s);
        }

        if (keyPaddingMask is not null)
        {
            var m = ToAdditive(keyPaddingMask, like).view(n, 1, 1, s);
            combined = combined is null ? m : combined + m;
        }

        return combined;
    }

    private static Tensor ToAdditive(Tensor mask, Tensor like) =>
        mask.dtype == ScalarType.Bool
            ? zeros(mask.shape, like.dtype, like.device).masked_fill(mask, double.NegativeInfinity)
            : mask.to(like.dtype);
}
