using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.DSA;

/// <summary>
/// DSA's local enhancement block (LEB, seed 000 §3.3): a small spatial-transformer network φ(F̂_n, F_t)
/// predicts per pixel a 2×2 matrix Q and a translation k; the 3×3 kernel samples at Q·R + k instead
/// of the regular grid R, i.e. kernel offsets O = Q·R + k − R, driving an adaptive convolution on F̂_n.
/// Shapes: [N, C, h, w] in and out; Q [N, 4, h, w] (row-major, acting on (dy, dx)), k [N, 2, h, w].
/// Starts at Q = I, k = 0 (the regular grid) with an identity kernel.
/// </summary>
public sealed class LocalEnhancementBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential phi;
    private readonly ModulatedDeformConv adaptive_conv;

    public LocalEnhancementBlock(string name, long channels, long hidden)
        : base(name)
    {
        phi = nn.Sequential(
            nn.Conv2d(2 * channels, hidden, 3, padding: 1),
            nn.LeakyReLU(0.1),
            nn.Conv2d(hidden, 6, 3, padding: 1));
        adaptive_conv = new ModulatedDeformConv("adaptive_conv", channels, channels);
        using (no_grad())
        {
            var last = (Conv2d)phi[2];
            last.weight!.zero_();
            last.bias!.copy_(tensor(new float[] { 1, 0, 0, 1, 0, 0 }));
        }

        RegisterComponents();
    }

    /// <summary>F̂_n, F_t [N, C, h, w] → enhanced F̃_n [N, C, h, w].</summary>
    public override Tensor forward(Tensor aligned, Tensor key)
    {
        using var scope = NewDisposeScope();
        var transform = phi.call(cat([aligned, key], 1));
        return adaptive_conv.call(aligned, Offsets(transform), null).MoveToOuterDisposeScope();
    }

    /// <summary>(Q, k) [N, 6, h, w] → deform_conv2d offsets [N, 18, h, w]: per tap (dy, dx) = Q·R + k − R.</summary>
    public static Tensor Offsets(Tensor transform)
    {
        using var scope = NewDisposeScope();
        // R: the regular 3×3 grid, taps row-major as deform_conv2d orders them.
        var ry = tensor(new float[] { -1, -1, -1, 0, 0, 0, 1, 1, 1 }, device: transform.device).view(1, 9, 1, 1);
        var rx = tensor(new float[] { -1, 0, 1, -1, 0, 1, -1, 0, 1 }, device: transform.device).view(1, 9, 1, 1);
        Tensor C(int i) => transform.narrow(1, i, 1);
        var dy = (C(0) * ry) + (C(1) * rx) + C(4) - ry;
        var dx = (C(2) * ry) + (C(3) * rx) + C(5) - rx;
        var n = transform.size(0);
        return stack([dy, dx], 2).reshape(n, 18, transform.size(2), transform.size(3)).MoveToOuterDisposeScope();
    }
}
