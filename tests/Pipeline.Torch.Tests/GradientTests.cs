using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Tests;

/// <summary>Finite-difference checks of the gradients the models train through.</summary>
public sealed class GradientTests
{
    [Fact]
    public void Conv2dGradientsMatchFiniteDifferences()
    {
        using var g = new Generator(1);
        long[][] shapes = [[2, 4, 6, 5], [6, 2, 3, 3], [6]];
        GradientCheck.Run(
            t => nn.functional.conv2d(t[0], t[1], t[2], (2, 1), (1, 2), (1, 2), groups: 2),
            shapes.Select(s => GradientCheck.Random(g, s)).ToArray(), shapes, seed: 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GridSampleGradientsMatchFiniteDifferences(bool alignCorners)
    {
        using var g = new Generator(2);
        long[][] shapes = [[2, 3, 5, 6], [2, 4, 3, 2]];
        var values = new[] { GradientCheck.Random(g, shapes[0]), GradientCheck.Random(g, shapes[1], -1.1, 1.1) };
        GradientCheck.Run(t => nn.functional.grid_sample(t[0], t[1], align_corners: alignCorners), values, shapes, seed: 2);
    }

    [Fact]
    public void DeformConv2dGradientsMatchFiniteDifferencesForEveryInput()
    {
        using var g = new Generator(3);
        const int n = 1, c = 4, h = 5, w = 6, o = 2, k = 3, dg = 2;
        long[][] shapes = [[n, c, h, w], [n, 2 * dg * k * k, h, w], [n, dg * k * k, h, w], [o, c, k, k], [o]];
        var values = new[]
        {
            GradientCheck.Random(g, shapes[0]),
            GradientCheck.Random(g, shapes[1], -1.7, 1.7),
            GradientCheck.Random(g, shapes[2], 0, 1),
            GradientCheck.Random(g, shapes[3]),
            GradientCheck.Random(g, shapes[4]),
        };
        GradientCheck.Run(
            t => nn.functional.deform_conv2d(t[0], t[1], t[3], t[4], padding: (1, 1), mask: t[2], deform_groups: dg),
            values, shapes, seed: 3);
    }

    [Fact]
    public void LayerNormGradientsMatchFiniteDifferences()
    {
        using var g = new Generator(4);
        long[][] shapes = [[3, 4, 5], [4, 5], [4, 5]];
        GradientCheck.Run(
            t => nn.functional.layer_norm(t[0], [4, 5], t[1], t[2]),
            shapes.Select(s => GradientCheck.Random(g, s)).ToArray(), shapes, seed: 4);
    }

    [Fact]
    public void AttentionGradientsMatchFiniteDifferences()
    {
        using var g = new Generator(5);
        long[][] shapes = [[2, 3, 4], [2, 5, 4], [2, 5, 3]];
        GradientCheck.Run(
            t => nn.functional.scaled_dot_product_attention(t[0], t[1], t[2]),
            shapes.Select(s => GradientCheck.Random(g, s)).ToArray(), shapes, seed: 5);
    }

    [Fact]
    public void NoGradAndInferenceModeStopRecording()
    {
        using var scope = NewDisposeScope();
        var w = ones([2], requires_grad: true);
        using (no_grad())
        {
            Assert.False(is_grad_enabled());
            Assert.False((w * 2).requires_grad);
        }

        Assert.True(is_grad_enabled());
        using (inference_mode())
        {
            Assert.False((w * 2).requires_grad);
        }

        var y = (w * 3).sum();
        Assert.True(y.requires_grad);
        y.backward();
        Assert.Equal([3f, 3f], w.grad!.data<float>());
    }

    [Fact]
    public void GradModeGuardsRefuseToCrossThreads()
    {
        var guard = no_grad();
        Assert.IsType<InvalidOperationException>(OtherThread.Run(guard.Dispose));
        guard.Dispose();
        Assert.True(is_grad_enabled());
    }
}
