using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.FaSRnet;

/// <summary>
/// FaSRnet's semantics refinement module (§3.2; the heatmap-refinement head, <c>hm_improve</c> in the
/// official code): the differences between the refined key heatmaps and the neighbours' heatmaps
/// steer a deformable convolution over the aggregated heatmaps.
/// <code>
/// H_t^r − H_{t−1} → CNN → D_{t,t−1};  H_t^r − H_{t+1} → CNN → D_{t,t+1}          (11, 12)
/// D_{t,t−1} ⊕ H_t^r ⊕ D_{t,t+1} → CNN → D_a                                        (13)
/// H_{t−1} ⊕ H_t^r ⊕ H_{t+1} → CNN → H_a                                            (14)
/// D_a ⊕ H_a → CNN → O^s / M^s;  DCN_{3×3, d=1}(H_a, O^s, M^s) → H_t^final           (15, 16)
/// </code>
/// Heatmaps [N, J, h, w]. Initialised so that H_a = H_t^r and the DCN is (nearly) the identity: an
/// untrained module passes H_t^r through. Deviation: one offset group (the official code has one per
/// joint, whose offset conv alone would cost ~1 GFLOP per window here).
/// </summary>
public sealed class SemanticsRefinement : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Conv2d difference_previous;
    private readonly Conv2d difference_next;
    private readonly Conv2d difference_fuse;
    private readonly Conv2d heatmap_fuse;
    private readonly DcnPack dcn;

    public SemanticsRefinement(string name, long joints)
        : base(name)
    {
        difference_previous = nn.Conv2d(joints, joints, 3, padding: 1);
        difference_next = nn.Conv2d(joints, joints, 3, padding: 1);
        difference_fuse = nn.Conv2d(3 * joints, joints, 3, padding: 1);
        heatmap_fuse = nn.Conv2d(3 * joints, joints, 3, padding: 1);
        dcn = new DcnPack("dcn", joints, 2 * joints);
        using (no_grad())
        {
            // Start from the identity: H_a = H_t^r (the centre frame of the concatenation, centre tap), and the DCN adds nothing.
            heatmap_fuse.weight!.zero_();
            heatmap_fuse.bias!.zero_();
            for (var j = 0; j < joints; j++)
            {
                heatmap_fuse.weight![j, joints + j, 1, 1] = tensor(1f);
            }
        }

        RegisterComponents();
    }

    /// <summary>H_t^r, H_{t−1}, H_{t+1} [N, J, h, w] → H_t^final [N, J, h, w].</summary>
    public override Tensor forward(Tensor refined, Tensor previous, Tensor next)
    {
        using var scope = NewDisposeScope();
        var dPrevious = difference_previous.call(refined - previous).relu();                      // (11)
        var dNext = difference_next.call(refined - next).relu();                                  // (12)
        var dAggregated = difference_fuse.call(cat([dPrevious, refined, dNext], 1)).relu();       // (13)
        var hAggregated = heatmap_fuse.call(cat([previous, refined, next], 1));                   // (14)
        return dcn.call(hAggregated, cat([dAggregated, hAggregated], 1)).MoveToOuterDisposeScope(); // (15, 16)
    }
}
