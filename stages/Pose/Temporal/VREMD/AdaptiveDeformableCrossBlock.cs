using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// BMD's Adaptive Deformable Cross (ADC) block: deformable cross attention from the motion tokens,
/// in parallel with plain cross attention (queries from the enhanced feature, keys and values from the
/// motion: the paper selects motion as keys and values), concatenated, then an MLP, residual on the
/// motion stream: x ← x + MLP(LN(DCA(LN x, LN F) ⊕ CA(LN F, LN x))).
/// </summary>
public sealed class AdaptiveDeformableCrossBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm motionNorm;
    private readonly LayerNorm featureNorm;
    private readonly DeformableCrossAttention deformable;
    private readonly Linear crossQuery;
    private readonly Linear crossKeyValue;
    private readonly Linear crossOutput;
    private readonly LayerNorm mergedNorm;
    private readonly Sequential mlp;
    private readonly int heads;

    public AdaptiveDeformableCrossBlock(string name, int width, int heads, int points, int grid)
        : base(name)
    {
        this.heads = heads;
        motionNorm = nn.LayerNorm(width);
        featureNorm = nn.LayerNorm(width);
        deformable = new DeformableCrossAttention("deformable", width, heads, points, grid);
        crossQuery = nn.Linear(width, width);
        crossKeyValue = nn.Linear(width, 2 * width);
        crossOutput = nn.Linear(width, width);
        mergedNorm = nn.LayerNorm(2 * width);
        mlp = nn.Sequential(nn.Linear(2 * width, 2 * width), nn.GELU(), nn.Linear(2 * width, width));
        RegisterComponents();
    }

    /// <summary>Motion tokens [B, N, D], enhanced feature [B, N, D] → motion tokens [B, N, D].</summary>
    public override Tensor forward(Tensor motion, Tensor enhanced)
    {
        using var scope = NewDisposeScope();
        var (m, f) = (motionNorm.call(motion), featureNorm.call(enhanced));
        var deformed = deformable.call(m, f);
        var kv = crossKeyValue.call(m).chunk(2, -1);
        var crossed = crossOutput.call(Attention.Multihead(crossQuery.call(f), kv[0], kv[1], heads));
        return (motion + mlp.call(mergedNorm.call(cat([deformed, crossed], -1)))).MoveToOuterDisposeScope();
    }
}
