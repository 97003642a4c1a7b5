using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// HKME's decoupled spatio-temporal transformer: spatial blocks over each frame's N tokens, then
/// temporal blocks over each token position's T frames.
/// </summary>
public sealed class SpatioTemporalAggregation : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<TransformerBlock> spatial;
    private readonly ModuleList<TransformerBlock> temporal;

    public SpatioTemporalAggregation(string name, int width, int heads, int spatialDepth, int temporalDepth)
        : base(name)
    {
        spatial = TransformerStack.Create("spatial", spatialDepth, width, heads);
        temporal = TransformerStack.Create("temporal", temporalDepth, width, heads);
        RegisterComponents();
    }

    /// <summary>F_f [B, T, N, D] → [B, T, N, D].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (b, t, n, d) = (tokens.size(0), tokens.size(1), tokens.size(2), tokens.size(3));
        var x = tokens.flatten(0, 1); // [B·T, N, D]
        x = spatial.Through(x);

        x = x.view(b, t, n, d).transpose(1, 2).reshape(b * n, t, d); // [B·N, T, D]
        x = temporal.Through(x);

        return x.view(b, n, t, d).transpose(1, 2).contiguous().MoveToOuterDisposeScope();
    }
}
