using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.DSA;

/// <summary>
/// DSA's global alignment block (GAB, seed 000 §3.2): <see cref="DeformableAlignment"/> applied
/// repeatedly in a symmetric, U-Net-like arrangement, so that large motions are aligned at coarse
/// scales and refined on the way back up with skips. On the backbone's 64² map [N, 24, 64, 64]:
/// <code>
/// encoder:  s1 = down(F_n) 32²,  a1 = align(k1, s1);   s2 = down(a1) 16²,  a2 = align(k2, s2)
/// decoder:  u1 = 1×1(up(a2) ⊕ a1) 32²,  d1 = align(k1, u1)
/// output:   F̂_n = 1×1(up(d1) ⊕ F_n) 64²
/// </code>
/// k1, k2 are the key frame's pyramid, computed once per window (<see cref="KeyPyramid"/>). The paper
/// does not give the U-Net's depth or widths; two levels, 24 channels and hidden width 12 keep four
/// supporting frames inside the head's FLOP budget (README, "Temporal models").
/// </summary>
public sealed class GlobalAlignmentBlock : nn.Module<(Tensor Level1, Tensor Level2), Tensor, Tensor>
{
    private readonly Conv2d down_1;
    private readonly Conv2d down_2;
    private readonly DeformableAlignment align_1;
    private readonly DeformableAlignment align_2;
    private readonly Conv2d skip_1;
    private readonly DeformableAlignment align_up_1;
    private readonly Conv2d output;

    public GlobalAlignmentBlock(string name, long channels, long hidden)
        : base(name)
    {
        down_1 = nn.Conv2d(channels, channels, 3, stride: 2, padding: 1);
        down_2 = nn.Conv2d(channels, channels, 3, stride: 2, padding: 1);
        align_1 = new DeformableAlignment("align_1", channels, hidden);
        align_2 = new DeformableAlignment("align_2", channels, hidden);
        skip_1 = nn.Conv2d(2 * channels, channels, 1);
        align_up_1 = new DeformableAlignment("align_up_1", channels, hidden);
        output = nn.Conv2d(2 * channels, channels, 1);
        RegisterComponents();
    }

    /// <summary>The key frame's pyramid (k1 at 32², k2 at 16²) through the same encoder convs as the supports.</summary>
    public (Tensor Level1, Tensor Level2) KeyPyramid(Tensor key)
    {
        using var scope = NewDisposeScope();
        var k1 = Down(down_1, key);
        var k2 = Down(down_2, k1);
        return (k1.MoveToOuterDisposeScope(), k2.MoveToOuterDisposeScope());
    }

    /// <summary>Key pyramid, F_n [N, C, 64, 64] → F̂_n [N, C, 64, 64].</summary>
    public override Tensor forward((Tensor Level1, Tensor Level2) key, Tensor support)
    {
        using var scope = NewDisposeScope();
        var a1 = align_1.call(key.Level1, Down(down_1, support));
        var a2 = align_2.call(key.Level2, Down(down_2, a1));
        var u1 = skip_1.call(cat([HalfResolution.Up(a2, a1), a1], 1));
        var d1 = align_up_1.call(key.Level1, u1);
        return output.call(cat([HalfResolution.Up(d1, support), support], 1)).MoveToOuterDisposeScope();
    }

    private static Tensor Down(Conv2d conv, Tensor x) => nn.functional.leaky_relu(conv.call(x), 0.1);
}
