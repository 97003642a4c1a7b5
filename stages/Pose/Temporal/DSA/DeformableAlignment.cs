using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.DSA;

/// <summary>
/// DSA's alignment layer (one step of the GAB, seed 000 §3.2): from F_t ⊕ F_n two modules of two 3×3
/// convs each predict the offsets θ [N, 18, h, w] and the masks M [N, 9, h, w] of a modulated
/// deformable convolution that samples the supporting feature F_n. Starts as the identity (zero
/// offsets, masks σ(3), centre-tap weights).
/// </summary>
public sealed class DeformableAlignment : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential theta;
    private readonly Sequential mask;
    private readonly ModulatedDeformConv dcn;

    public DeformableAlignment(string name, long channels, long hidden)
        : base(name)
    {
        Sequential TwoConvs(long outChannels) => nn.Sequential(
            nn.Conv2d(2 * channels, hidden, 3, padding: 1),
            nn.LeakyReLU(0.1),
            nn.Conv2d(hidden, outChannels, 3, padding: 1));
        theta = TwoConvs(18);
        mask = TwoConvs(9);
        dcn = new ModulatedDeformConv("dcn", channels, channels);
        using (no_grad())
        {
            var (thetaOut, maskOut) = ((Conv2d)theta[2], (Conv2d)mask[2]);
            thetaOut.weight!.zero_();
            thetaOut.bias!.zero_();
            maskOut.weight!.zero_();
            maskOut.bias!.fill_(3);
        }

        RegisterComponents();
    }

    /// <summary>F_t, F_n [N, C, h, w] → F_n aligned to F_t [N, C, h, w].</summary>
    public override Tensor forward(Tensor key, Tensor support)
    {
        using var scope = NewDisposeScope();
        var both = cat([key, support], 1);
        return dcn.call(support, theta.call(both), mask.call(both).sigmoid()).MoveToOuterDisposeScope();
    }
}
