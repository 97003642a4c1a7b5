using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Tests;

/// <summary>conv2d, conv_transpose2d and deform_conv2d against the naive loops in <see cref="Naive"/>.</summary>
public sealed class ConvolutionReferenceTests
{
    // Tolerances: float64 results must agree to 1e-10 (only summation order differs);
    // float32 to 2e-4 absolute on O(1) values.
    private const double Float64Tolerance = 1e-10;
    private const double Float32Tolerance = 2e-4;

    private static double[] Random(Generator g, params long[] shape)
    {
        using var t = randn(shape, float64, generator: g);
        return t.data<double>();
    }

    [Theory]
    [InlineData(1, 3, 7, 8, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1, true)]
    [InlineData(2, 4, 9, 9, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, false)]
    [InlineData(1, 4, 10, 11, 4, 3, 2, 1, 2, 2, 1, 2, 3, 2, true)]
    [InlineData(2, 6, 8, 8, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6, true)] // depthwise
    [InlineData(1, 2, 6, 5, 3, 1, 1, 1, 1, 0, 0, 1, 1, 1, true)] // 1x1
    public void Conv2dMatchesNaiveLoop(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups, bool withBias)
    {
        using var g = new Generator(n * 1000 + c * 100 + h);
        var x = Random(g, n, c, h, w);
        var weight = Random(g, o, c / groups, kh, kw);
        var bias = withBias ? Random(g, o) : null;
        var expected = Naive.Conv2d(x, n, c, h, w, weight, o, kh, kw, bias, (sh, sw), (ph, pw), (dh, dw), groups, out var ho, out var wo);

        using var scope = NewDisposeScope();
        var xt = tensor(x, [n, c, h, w]);
        var wt = tensor(weight, [o, c / groups, kh, kw]);
        var bt = bias is null ? null : tensor(bias);
        var y = nn.functional.conv2d(xt, wt, bt, (sh, sw), (ph, pw), (dh, dw), groups);
        Assert.Equal([n, o, ho, wo], y.shape);
        Assert.True(Naive.MaxAbsDifference(expected, y.data<double>()) < Float64Tolerance);

        var y32 = nn.functional.conv2d(xt.to(float32), wt.to(float32), bt?.to(float32), (sh, sw), (ph, pw), (dh, dw), groups);
        Assert.True(Naive.MaxAbsDifference(expected, y32.to(float64).data<double>()) < Float32Tolerance * Math.Sqrt(c * kh * kw));
    }

    [Theory]
    [InlineData(1, 4, 5, 5, 6, 3, 2, 1, 1, 1, 1)]
    [InlineData(2, 4, 4, 6, 4, 3, 1, 0, 0, 2, 2)]
    [InlineData(1, 2, 3, 3, 2, 4, 2, 1, 0, 1, 1)]
    public void ConvTranspose2dMatchesNaiveScatter(int n, int c, int h, int w, int o, int k, int stride, int padding, int outputPadding, int dilation, int groups)
    {
        using var g = new Generator(n * 7 + c + k);
        var x = Random(g, n, c, h, w);
        var weight = Random(g, c, o / groups, k, k);
        var bias = Random(g, o);
        var expected = Naive.ConvTranspose2d(x, n, c, h, w, weight, o, k, k, bias, (stride, stride), (padding, padding), (outputPadding, outputPadding), (dilation, dilation), groups, out var ho, out var wo);

        using var scope = NewDisposeScope();
        var y = nn.functional.conv_transpose2d(tensor(x, [n, c, h, w]), tensor(weight, [c, o / groups, k, k]), tensor(bias), (stride, stride), (padding, padding), (outputPadding, outputPadding), groups, (dilation, dilation));
        Assert.Equal([n, o, ho, wo], y.shape);
        Assert.True(Naive.MaxAbsDifference(expected, y.data<double>()) < Float64Tolerance);
    }

    [Theory]
    [InlineData(1, 4, 7, 7, 4, 3, 1, 1, 1, 1, 1, true, true)]
    [InlineData(2, 4, 8, 9, 6, 3, 2, 1, 1, 2, 2, true, true)] // stride, 2 deformable groups, 2 groups
    [InlineData(1, 6, 9, 8, 3, 3, 1, 2, 2, 1, 3, true, false)] // dilation 2, 3 deformable groups, DCNv1 (no mask)
    [InlineData(1, 2, 6, 6, 2, 3, 1, 5, 5, 1, 1, false, true)] // dilation 5 as FaSRnet's first branch
    [InlineData(1, 3, 5, 5, 2, 1, 1, 0, 1, 1, 1, true, true)] // 1x1 kernel
    public void DeformConv2dMatchesTorchvisionDefinition(int n, int c, int h, int w, int o, int k, int stride, int padding, int dilation, int groups, int deformGroups, bool withMask, bool withBias)
    {
        using var g = new Generator(31 * n + c + h + k + deformGroups);
        var x = Random(g, n, c, h, w);
        var weight = Random(g, o, c / groups, k, k);
        var bias = withBias ? Random(g, o) : null;
        var ho = ((h + (2 * padding) - (dilation * (k - 1)) - 1) / stride) + 1;
        var wo = ((w + (2 * padding) - (dilation * (k - 1)) - 1) / stride) + 1;
        // Offsets up to ±3 px so taps fall between pixels and outside the image.
        using var offsetTensor = rand([n, 2 * deformGroups * k * k, ho, wo], float64, generator: g) * 6 - 3;
        using var maskTensor = rand([n, deformGroups * k * k, ho, wo], float64, generator: g);
        var offset = offsetTensor.data<double>();
        var mask = withMask ? maskTensor.data<double>() : null;
        var expected = Naive.DeformConv2d(x, n, c, h, w, weight, o, k, k, offset, mask, bias, (stride, stride), (padding, padding), (dilation, dilation), groups, deformGroups, out _, out _);

        using var scope = NewDisposeScope();
        var y = nn.functional.deform_conv2d(tensor(x, [n, c, h, w]), offsetTensor, tensor(weight, [o, c / groups, k, k]), bias is null ? null : tensor(bias),
            (stride, stride), (padding, padding), (dilation, dilation), withMask ? maskTensor : null, groups, deformGroups);
        Assert.Equal([n, o, ho, wo], y.shape);
        Assert.True(Naive.MaxAbsDifference(expected, y.data<double>()) < 1e-9);
    }

    [Fact]
    public void DeformConv2dWithZeroOffsetsAndUnitMaskEqualsConv2d()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var x = randn([2, 8, 12, 10], generator: g);
        var weight = randn([16, 4, 3, 3], generator: g);
        var bias = randn([16], generator: g);
        var offset = zeros(2, 2 * 2 * 9, 6, 5);
        var mask = ones(2, 2 * 9, 6, 5);
        var expected = nn.functional.conv2d(x, weight, bias, (2, 2), (1, 1), (1, 1), 2);
        var actual = nn.functional.deform_conv2d(x, offset, weight, bias, (2, 2), (1, 1), (1, 1), mask, groups: 2, deform_groups: 2);
        Assert.True(actual.allclose(expected, 1e-4, 1e-4));
    }

    [Fact]
    public void DeformConv2dRejectsWrongOffsetShapeWithAClearMessage()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<TorchException>(() => nn.functional.deform_conv2d(zeros(1, 2, 5, 5), zeros(1, 9, 5, 5), zeros(2, 2, 3, 3), padding: (1, 1)));
        Assert.Contains("offset must be [1, 18, 5, 5]", error.Message);
    }
}
