using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Tests;

/// <summary>Functional ops checked against values computed by hand from their definitions.</summary>
public sealed class FunctionalTests
{
    [Fact]
    public void InterpolateNearestAndBilinearFollowPyTorch()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 0, 1, 2, 3 }, [1, 1, 2, 2]);
        Assert.Equal([0f, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3], nn.functional.interpolate(x, scale_factor: (2, 2)).data<float>());
        // align_corners = true: the corners map to corners, 3 samples per row: 0, 0.5, 1
        var aligned = nn.functional.interpolate(x, size: (3, 3), mode: InterpolationMode.Bilinear, align_corners: true).data<float>();
        Assert.Equal([0f, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3], aligned);
        // align_corners = false (half-pixel centres, TF's half_pixel_centers): output 0 samples input -0.25 -> clamped to 0
        var half = nn.functional.interpolate(x, size: (4, 4), mode: InterpolationMode.Bilinear).data<float>();
        Assert.Equal([0f, 0.25f, 0.75f, 1], half.Take(4));
    }

    [Fact]
    public void PadSupportsConstantReflectAndReplicate()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 }, [1, 1, 3]);
        Assert.Equal([9f, 1, 2, 3, 9, 9], nn.functional.pad(x, [1, 2], value: 9).data<float>());
        Assert.Equal([2f, 1, 2, 3, 2], nn.functional.pad(x, [1, 1], PaddingModes.Reflect).data<float>());
        Assert.Equal([1f, 1, 2, 3, 3], nn.functional.pad(x, [1, 1], PaddingModes.Replicate).data<float>());
        Assert.Equal([3f, 1, 2, 3, 1], nn.functional.pad(x, [1, 1], PaddingModes.Circular).data<float>());
    }

    [Fact]
    public void AffineGridAndGridSampleReproduceAKnownWarp()
    {
        using var scope = NewDisposeScope();
        var image = arange(0, 16, 1, float32).reshape(1, 1, 4, 4);
        var identity = tensor(new float[] { 1, 0, 0, 0, 1, 0 }, [1, 2, 3]);
        var grid = nn.functional.affine_grid(identity, [1, 1, 4, 4]);
        Assert.True(nn.functional.grid_sample(image, grid).allclose(image, 1e-5, 1e-5));
        // Horizontal flip: x -> -x.
        var flip = tensor(new float[] { -1, 0, 0, 0, 1, 0 }, [1, 2, 3]);
        var flipped = nn.functional.grid_sample(image, nn.functional.affine_grid(flip, [1, 1, 4, 4]));
        Assert.True(flipped.allclose(image.flip(3), 1e-5, 1e-5));
        // Nearest sampling at a pixel centre returns that pixel.
        var centre = tensor(new float[] { -0.25f, 0.25f }, [1, 1, 1, 2]); // pixel (x=1, y=2) with align_corners = false
        Assert.Equal(9f, nn.functional.grid_sample(image, centre, GridSampleMode.Nearest).item<float>());
    }

    [Fact]
    public void NormalisationLayersNormalise()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(3);
        var x = randn([4, 6, 5, 5], generator: g) * 3 + 2;
        var bn = nn.functional.batch_norm(x, null, null, training: true);
        Assert.True(bn.mean([0, 2, 3]).abs().max().item<float>() < 1e-5);
        var ln = nn.functional.layer_norm(x, [6, 5, 5]);
        Assert.True(ln.std([1, 2, 3], unbiased: false).sub(1).abs().max().item<float>() < 1e-3);
        var gn = nn.functional.group_norm(x, 3);
        Assert.True(gn.reshape(4, 3, -1).mean(2).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void ActivationsMatchTheirFormulas()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { -4, -1, -0.5, 0, 0.5, 1, 4, 7 });
        var v = x.data<double>();
        static void Same(double[] expected, Tensor actual) => Assert.True(Naive.MaxAbsDifference(expected, actual.data<double>()) < 1e-7);
        Same(v.Select(a => Math.Max(a, 0)).ToArray(), nn.functional.relu(x));
        Same(v.Select(a => Math.Clamp(a, 0, 6)).ToArray(), nn.functional.relu6(x));
        Same(v.Select(a => a > 0 ? a : 0.2 * a).ToArray(), nn.functional.leaky_relu(x, 0.2));
        Same(v.Select(a => 1 / (1 + Math.Exp(-a))).ToArray(), nn.functional.sigmoid(x));
        Same(v.Select(Math.Tanh).ToArray(), nn.functional.tanh(x));
        Same(v.Select(a => a * Math.Clamp(a + 3, 0, 6) / 6).ToArray(), nn.functional.hardswish(x));
        Same(v.Select(a => 0.5 * a * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (a + (0.044715 * a * a * a))))).ToArray(), nn.functional.gelu(x, tanh_approximation: true));
        var exact = nn.functional.gelu(x).data<double>();
        Assert.Equal(0.5 * 1 * (1 + 0.6826894921370859), exact[5], 9); // erf(1/√2) = 0.68268949...
    }

    [Fact]
    public void PoolingFollowsItsDefinition()
    {
        using var scope = NewDisposeScope();
        var x = arange(0, 16, 1, float32).reshape(1, 1, 4, 4);
        Assert.Equal([5f, 7, 13, 15], nn.functional.max_pool2d(x, (2, 2)).data<float>());
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f], nn.functional.avg_pool2d(x, (2, 2)).data<float>());
        Assert.Equal([7.5f], nn.functional.adaptive_avg_pool2d(x, (1, 1)).data<float>());
    }

    [Fact]
    public void DropoutScalesKeptValuesAndIsIdentityInEval()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var x = ones(10000);
        var dropped = nn.functional.dropout(x, 0.25, training: true).data<float>();
        Assert.All(dropped, v => Assert.True(v == 0 || Math.Abs(v - (1 / 0.75f)) < 1e-6));
        Assert.InRange(dropped.Count(v => v == 0) / 10000.0, 0.22, 0.28);
        Assert.True(nn.functional.dropout(x, 0.25, training: false).allclose(x));
    }

    [Fact]
    public void LossesMatchHandComputedValues()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3 });
        var b = tensor(new float[] { 1, 0, 6 });
        Assert.Equal((0 + 4 + 9) / 3f, nn.functional.mse_loss(a, b).item<float>(), 5);
        Assert.Equal(5 / 3f, nn.functional.l1_loss(a, b).item<float>(), 5);
        var logits = tensor(new float[] { 2, 0, 0, 0, 3, 0 }, [2, 3]);
        var target = tensor(new long[] { 0, 1 });
        var expected = (-(2 - Math.Log(Math.Exp(2) + 2)) - (3 - Math.Log(Math.Exp(3) + 2))) / 2;
        Assert.Equal(expected, nn.functional.cross_entropy(logits, target).item<float>(), 5);
    }
}
