using static TorchSharp.torch;

namespace Pipeline.Torch.Tests;

/// <summary><see cref="VisionOps.deform_conv2d"/> against the naive loops, conv2d, and finite differences.</summary>
public sealed class DeformConv2dTests
{
    // float64 results must agree to 1e-9 (only summation order differs).
    private const double Float64Tolerance = 1e-9;

    private static double[] Random(Generator g, params long[] shape)
    {
        using var t = randn(shape, float64, generator: g);
        return t.data<double>().ToArray();
    }

    [Theory]
    [InlineData(1, 4, 7, 7, 4, 3, 1, 1, 1, 1, 1, true, true)]
    [InlineData(2, 4, 8, 9, 6, 3, 2, 1, 1, 2, 2, true, true)] // stride, 2 offset groups, 2 groups
    [InlineData(1, 6, 9, 8, 3, 3, 1, 2, 2, 1, 3, true, false)] // dilation 2, 3 offset groups, DCNv1 (no mask)
    [InlineData(1, 2, 6, 6, 2, 3, 1, 5, 5, 1, 1, false, true)] // dilation 5 as FaSRnet's first branch
    [InlineData(1, 3, 5, 5, 2, 1, 1, 0, 1, 1, 1, true, true)] // 1x1 kernel
    public void MatchesTorchvisionDefinition(int n, int c, int h, int w, int o, int k, int stride, int padding, int dilation, int groups, int offsetGroups, bool withMask, bool withBias)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)((31 * n) + c + h + k + offsetGroups));
        var x = Random(g, n, c, h, w);
        var weight = Random(g, o, c / groups, k, k);
        var bias = withBias ? Random(g, o) : null;
        var ho = ((h + (2 * padding) - (dilation * (k - 1)) - 1) / stride) + 1;
        var wo = ((w + (2 * padding) - (dilation * (k - 1)) - 1) / stride) + 1;
        // Offsets up to ±3 px so taps fall between pixels and outside the image.
        var offsetTensor = (rand([n, 2 * offsetGroups * k * k, ho, wo], float64, generator: g) * 6) - 3;
        var maskTensor = rand([n, offsetGroups * k * k, ho, wo], float64, generator: g);
        var offset = offsetTensor.data<double>().ToArray();
        var mask = withMask ? maskTensor.data<double>().ToArray() : null;
        var expected = NaiveDeformConv.Forward(x, n, c, h, w, weight, o, k, k, offset, mask, bias, (stride, stride), (padding, padding), (dilation, dilation), groups, offsetGroups, out _, out _);

        var y = VisionOps.deform_conv2d(tensor(x, [n, c, h, w]), offsetTensor, tensor(weight, [o, c / groups, k, k]), bias is null ? null : tensor(bias),
            (stride, stride), (padding, padding), (dilation, dilation), withMask ? maskTensor : null);
        Assert.Equal([n, o, ho, wo], y.shape);
        Assert.True(NaiveDeformConv.MaxAbsDifference(expected, y.data<double>().ToArray()) < Float64Tolerance);
    }

    [Fact]
    public void WithZeroOffsetsAndUnitMaskEqualsConv2d()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        var x = randn([2, 8, 12, 10], generator: g);
        var weight = randn([16, 4, 3, 3], generator: g);
        var bias = randn([16], generator: g);
        var offset = zeros(2, 2 * 2 * 9, 6, 5);
        var mask = ones(2, 2 * 9, 6, 5);
        var expected = nn.functional.conv2d(x, weight, bias, [2, 2], [1, 1], [1, 1], 2);
        var actual = VisionOps.deform_conv2d(x, offset, weight, bias, (2, 2), (1, 1), (1, 1), mask);
        // float32: both sum 36 products of O(1) values, in different orders.
        Assert.True(actual.allclose(expected, 1e-4, 1e-4));
    }

    [Fact]
    public void GradientsMatchFiniteDifferencesForEveryInput()
    {
        var g = new Generator(3);
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
        GradientCheck.Run(t => VisionOps.deform_conv2d(t[0], t[1], t[3], t[4], padding: (1, 1), mask: t[2]), values, shapes, seed: 3);
    }

    [Fact]
    public void InferenceInPlaceAndRecordedPathsGiveTheSameValues()
    {
        // Without autograd the mask and bias are applied in place; with it, as new tensors.
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        var x = randn([2, 6, 9, 8], float64, generator: g);
        var offset = (rand([2, 2 * 9, 9, 8], float64, generator: g) * 6) - 3;
        var mask = rand([2, 9, 9, 8], float64, generator: g);
        var weight = randn([5, 6, 3, 3], float64, generator: g);
        var bias = randn([5], float64, generator: g);
        Tensor Run() => VisionOps.deform_conv2d(x, offset, weight, bias, padding: (1, 1), mask: mask);
        Tensor inference;
        using (no_grad())
        {
            inference = Run();
        }

        mask.requires_grad_(true);
        bias.requires_grad_(true);
        var recorded = Run();
        Assert.True(recorded.requires_grad);
        Assert.True(recorded.detach().allclose(inference, 0, 1e-12));
    }

    [Fact]
    public void RejectsAWrongOffsetShapeWithAClearMessage()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => VisionOps.deform_conv2d(zeros(1, 2, 5, 5), zeros(1, 9, 5, 5), zeros(2, 2, 3, 3), padding: (1, 1)));
        Assert.Contains("offset must be [1, 2·G·9, 5, 5], got [1, 9, 5, 5]", error.Message);
    }

    [Fact]
    public void LeavesNoTemporariesInTheCallersScope()
    {
        using var scope = NewDisposeScope();
        var x = randn(1, 2, 5, 5);
        var offset = zeros(1, 18, 5, 5);
        var weight = randn(3, 2, 3, 3);
        var before = scope.DisposablesCount;
        var y = VisionOps.deform_conv2d(x, offset, weight, padding: (1, 1));
        Assert.Equal(before + 1, scope.DisposablesCount); // only the result
        Assert.Equal([1, 3, 5, 5], y.shape);
    }
}
