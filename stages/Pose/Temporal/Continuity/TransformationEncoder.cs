using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Continuity;

/// <summary>
/// E_S, the transformation encoder: what Z discards — where the person sits in the crop and at which
/// scale and angle — as S, the 2×3 matrix of the affine map A. One frame's token grid through a
/// strided 3×3 conv and two linear layers; the last starts at zero with the identity as its bias,
/// so A starts as the identity.
/// </summary>
public sealed class TransformationEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d reduce;
    private readonly Sequential regress;
    private readonly int grid;

    public TransformationEncoder(string name, int width, int grid, int hidden = 64, int reduced = 16)
        : base(name)
    {
        this.grid = grid;
        reduce = nn.Conv2d(width, reduced, 3, stride: 2, padding: 1);
        var last = nn.Linear(hidden, 6);
        using (no_grad())
        {
            last.weight!.zero_();
            last.bias!.copy_(tensor(new float[] { 1, 0, 0, 0, 1, 0 }));
        }

        var cells = (grid + 1) / 2;
        regress = nn.Sequential(nn.Flatten(), nn.Linear(reduced * cells * cells, hidden), nn.GELU(), last);
        RegisterComponents();
    }

    /// <summary>Tokens [S, N, D] on a grid × grid layout → S as affine matrices [S, 2, 3].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var map = tokens.transpose(1, 2).reshape(tokens.size(0), tokens.size(2), grid, grid);
        var s = regress.call(nn.functional.gelu(reduce.call(map)));
        return s.view(-1, 2, 3).MoveToOuterDisposeScope();
    }
}
