using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.FaSRnet;

/// <summary>
/// FaSRnet's feature alignment module (§3.1.1, Fig. 3; <c>pcda_p</c> / <c>pcda_n</c> in the official
/// code): aligns an auxiliary feature F_{t+i} with the key feature F_t in three receptive fields and a
/// final step, each a modulated deformable convolution sampling F_{t+i}:
/// <code>
/// F_t ⊕ F_{t+i}   → CNN → O_0                                   (1)
/// F_{t+i} ⊕ O_0   → CNN → O_1,  DCN_{d=5}(F_{t+i}, O_1) = F_1^a  (2, 3)
/// F_{n−1}^a ⊕ O_0 → CNN → O_n,  DCN_{d}(F_{t+i}, O_n) = F_n^a    (4, 5), d = 3, 1
/// F_t ⊕ F_3^a     → CNN → O_4,  DCN_{d=1}(F_{t+i}, O_4) = F_{t+i}^a (6, 7)
/// </code>
/// Shapes: features [N, C, h, w] (C = 24, 64² for MoveNet Thunder); offset features [N, W, h, w].
/// </summary>
public sealed class FeatureAlignment : nn.Module<Tensor, Tensor, Tensor>
{
    private static readonly long[] Dilations = [5, 3, 1];
    private readonly Conv2d offset_base;
    private readonly ModuleList<Conv2d> branch_offset;
    private readonly ModuleList<DcnPack> branch_dcn;
    private readonly Conv2d cascade_offset;
    private readonly DcnPack cascade_dcn;

    public FeatureAlignment(string name, long channels, long offsetWidth)
        : base(name)
    {
        offset_base = nn.Conv2d(2 * channels, offsetWidth, 3, padding: 1);
        branch_offset = nn.ModuleList(
            nn.Conv2d(channels + offsetWidth, offsetWidth, 3, padding: 1),
            nn.Conv2d(channels + offsetWidth, offsetWidth, 3, padding: 1),
            nn.Conv2d(channels + offsetWidth, offsetWidth, 3, padding: 1));
        branch_dcn = nn.ModuleList([.. Dilations.Select(d => new DcnPack($"dcn_d{d}", channels, offsetWidth, d))]);
        cascade_offset = nn.Conv2d(2 * channels, offsetWidth, 3, padding: 1);
        cascade_dcn = new DcnPack("cascade_dcn", channels, offsetWidth, 1);
        RegisterComponents();
    }

    /// <summary>F_t, F_{t+i} [N, C, h, w] → F_{t+i}^a [N, C, h, w].</summary>
    public override Tensor forward(Tensor key, Tensor auxiliary)
    {
        using var scope = NewDisposeScope();
        Tensor Lrelu(Tensor t) => nn.functional.leaky_relu(t, 0.1);
        var o0 = Lrelu(offset_base.call(cat([key, auxiliary], 1)));                   // (1)
        var aligned = auxiliary;
        for (var n = 0; n < Dilations.Length; n++)
        {
            var guide = n == 0 ? auxiliary : aligned;                                   // (2) / (4)
            var offset = Lrelu(branch_offset[n].call(cat([guide, o0], 1)));
            aligned = Lrelu(branch_dcn[n].call(auxiliary, offset));                   // (3) / (5)
        }

        var o4 = Lrelu(cascade_offset.call(cat([key, aligned], 1)));                 // (6)
        return Lrelu(cascade_dcn.call(auxiliary, o4)).MoveToOuterDisposeScope();     // (7)
    }
}
