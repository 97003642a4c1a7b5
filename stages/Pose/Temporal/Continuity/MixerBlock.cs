using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Continuity;

/// <summary>
/// An MLP-Mixer block (Tolstikhin et al., 2021) over token sequences [S, N, D]: token mixing,
/// x + MLP_N(LN x) applied across the N tokens of each channel, then channel mixing,
/// x + MLP_D(LN x) across the D channels of each token (GELU, hidden widths as given).
/// </summary>
public sealed class MixerBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm tokenNorm;
    private readonly Sequential tokenMixing;
    private readonly LayerNorm channelNorm;
    private readonly Sequential channelMixing;

    public MixerBlock(string name, int tokens, int width, int tokenHidden, int channelHidden)
        : base(name)
    {
        tokenNorm = nn.LayerNorm(width);
        tokenMixing = nn.Sequential(nn.Linear(tokens, tokenHidden), nn.GELU(), nn.Linear(tokenHidden, tokens));
        channelNorm = nn.LayerNorm(width);
        channelMixing = nn.Sequential(nn.Linear(width, channelHidden), nn.GELU(), nn.Linear(channelHidden, width));
        RegisterComponents();
    }

    /// <summary>Tokens [S, N, D] → [S, N, D].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = x + tokenMixing.call(tokenNorm.call(x).transpose(1, 2)).transpose(1, 2);
        return (x + channelMixing.call(channelNorm.call(x))).MoveToOuterDisposeScope();
    }
}
