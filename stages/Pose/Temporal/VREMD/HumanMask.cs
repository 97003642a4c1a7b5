using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// HKME's human mask (Eq. 1): per frame δ a class token T_h,δ joins the frame's tokens X_δ through
/// transformer blocks; the mask is the tokens' product with it, F̄_δ · T_h,δᵀ [N, 1], and
/// F_c = ⊕_δ F̄_δ ⊙ Mask_h,δ. Deviation: the product is squashed to sigmoid(· / √D) (the paper's
/// raw product is unbounded and can flip a token's sign).
/// </summary>
public sealed class HumanMask : nn.Module<Tensor, Tensor>
{
    private readonly Parameter classToken;
    private readonly ModuleList<TransformerBlock> blocks;

    public HumanMask(string name, int width, int heads, int frames, int depth)
        : base(name)
    {
        classToken = nn.Parameter(randn(frames, 1, width) * 0.02f);
        blocks = TransformerStack.Create("block", depth, width, heads);
        RegisterComponents();
    }

    /// <summary>Tokens X [B, T, N, D] → F_c [B, T, N, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (b, t, n, d) = (tokens.size(0), tokens.size(1), tokens.size(2), tokens.size(3));
        var x = cat([classToken.unsqueeze(0).expand(b, -1, -1, -1), tokens], 2).flatten(0, 1); // [B·T, 1 + N, D]
        x = blocks.Through(x);

        var (human, frame) = (x.narrow(1, 0, 1), x.narrow(1, 1, n)); // T_h [B·T, 1, D], F̄ [B·T, N, D]
        var mask = (frame.matmul(human.transpose(1, 2)) / Math.Sqrt(d)).sigmoid(); // [B·T, N, 1]
        FlopCounter.Add(2 * b * t * n * d);
        return (frame * mask).view(b, t, n, d).MoveToOuterDisposeScope();
    }
}
