using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>HKME's last step: an MLP along the token axis that reduces the window's 3N tokens to N (3N → N, GELU, N → N).</summary>
public sealed class TokenReduction : nn.Module<Tensor, Tensor>
{
    private readonly Sequential mlp;

    public TokenReduction(string name, int inputTokens, int outputTokens)
        : base(name)
    {
        mlp = nn.Sequential(nn.Linear(inputTokens, outputTokens), nn.GELU(), nn.Linear(outputTokens, outputTokens));
        RegisterComponents();
    }

    /// <summary>Tokens [B, T, N, D] → [B, N, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (b, d) = (tokens.size(0), tokens.size(3));
        return mlp.call(tokens.reshape(b, -1, d).transpose(1, 2)).transpose(1, 2).contiguous().MoveToOuterDisposeScope();
    }
}
