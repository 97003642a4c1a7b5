using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// BMD, bidirectional motion disentanglement: forward motion M_f = X_{t+1} − X_t and backward motion
/// M_b = X_{t−1} − X_t (on the patch embedding, before positions) go through separate stacks of ADC
/// blocks guided by the enhanced feature; a fusion layer (linear, 2D → D) merges the two directions into M.
/// </summary>
public sealed class BMD : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<AdaptiveDeformableCrossBlock> forwardBranch;
    private readonly ModuleList<AdaptiveDeformableCrossBlock> backwardBranch;
    private readonly Linear fusion;

    public BMD(string name, int width, int heads, int points, int grid, int depth)
        : base(name)
    {
        forwardBranch = nn.ModuleList([.. Enumerable.Range(0, depth).Select(i => new AdaptiveDeformableCrossBlock($"forward{i}", width, heads, points, grid))]);
        backwardBranch = nn.ModuleList([.. Enumerable.Range(0, depth).Select(i => new AdaptiveDeformableCrossBlock($"backward{i}", width, heads, points, grid))]);
        fusion = nn.Linear(2 * width, width);
        RegisterComponents();
    }

    /// <summary>Embedded frames t−1, t, t+1 [B, 3, N, D] (no positions) and the enhanced feature [B, N, D] → M [B, N, D].</summary>
    public override Tensor forward(Tensor embedded, Tensor enhanced)
    {
        using var scope = NewDisposeScope();
        var key = embedded.select(1, 1);
        var forwardMotion = embedded.select(1, 2) - key;
        var backwardMotion = embedded.select(1, 0) - key;
        foreach (var block in forwardBranch)
        {
            forwardMotion = block.call(forwardMotion, enhanced);
        }

        foreach (var block in backwardBranch)
        {
            backwardMotion = block.call(backwardMotion, enhanced);
        }

        return fusion.call(cat([forwardMotion, backwardMotion], -1)).MoveToOuterDisposeScope();
    }
}
