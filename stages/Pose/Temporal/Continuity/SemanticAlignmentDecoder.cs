using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Continuity;

/// <summary>
/// D, the semantic alignment decoder: Z to the aligned (canonical) heatmaps, before A(·, S) places
/// them in the crop (Eq. 4). A linear layer to a coarse J × 16 × 16 map, bilinear up-sampling to the
/// backbone's 64 × 64, and a 3×3 conv that starts at zero, so a fresh head adds nothing to the
/// backbone's heatmaps.
/// </summary>
public sealed class SemanticAlignmentDecoder : nn.Module<Tensor, Tensor>
{
    private const int Coarse = 16;

    private readonly Linear expand;
    private readonly Conv2d refine;
    private readonly int joints;
    private readonly int size;

    public SemanticAlignmentDecoder(string name, int embedding, int joints, int size)
        : base(name)
    {
        (this.joints, this.size) = (joints, size);
        expand = nn.Linear(embedding, joints * Coarse * Coarse);
        refine = ZeroStart.Layer(nn.Conv2d(joints, joints, 3, padding: 1));

        RegisterComponents();
    }

    /// <summary>Z [S, M] → aligned heatmaps [S, J, size, size].</summary>
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var coarse = expand.call(z).view(-1, joints, Coarse, Coarse);
        var upsampled = nn.functional.interpolate(coarse, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
        return refine.call(upsampled).MoveToOuterDisposeScope();
    }
}
