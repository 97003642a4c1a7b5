using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Tests;

/// <summary>Attention against the naive softmax loop; tolerance 1e-10 in float64.</summary>
public sealed class AttentionReferenceTests
{
    [Theory]
    [InlineData(2, 5, 7, 4, 3, false, false)]
    [InlineData(3, 6, 6, 8, 8, true, false)]
    [InlineData(1, 4, 9, 5, 2, false, true)]
    public void ScaledDotProductAttentionMatchesNaiveLoop(int batch, int l, int s, int e, int ev, bool causal, bool withMask)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(batch * 100 + l + s);
        var q = randn([batch, l, e], float64, generator: g);
        var k = randn([batch, s, e], float64, generator: g);
        var v = randn([batch, s, ev], float64, generator: g);
        double[]? additive = null;
        Tensor? mask = null;
        if (causal)
        {
            additive = new double[l * s];
            for (var i = 0; i < l; i++)
                for (var j = i + 1; j < s; j++)
                {
                    additive[(i * s) + j] = double.NegativeInfinity;
                }
        }
        else if (withMask)
        {
            mask = randn([l, s], float64, generator: g);
            additive = mask.data<double>();
        }

        var scale = 1 / Math.Sqrt(e);
        var expected = Naive.Attention(q.data<double>(), k.data<double>(), v.data<double>(), batch, l, s, e, ev, additive, scale);
        var actual = nn.functional.scaled_dot_product_attention(q, k, v, mask, is_causal: causal);
        Assert.Equal([batch, l, ev], actual.shape);
        Assert.True(Naive.MaxAbsDifference(expected, actual.data<double>()) < 1e-10);
    }

    [Fact]
    public void BooleanMaskMarksPositionsThatTakePart()
    {
        using var scope = NewDisposeScope();
        var q = randn(1, 2, 4);
        var k = randn(1, 3, 4);
        var v = tensor(new float[] { 1, 10, 100 }, [1, 3, 1]);
        var onlyFirst = tensor(new bool[] { true, false, false, true, false, false }, [2, 3]);
        var result = nn.functional.scaled_dot_product_attention(q, k, v, onlyFirst);
        Assert.Equal([1f, 1f], result.data<float>());
    }

    [Fact]
    public void MultiheadAttentionMatchesPerHeadNaiveComputation()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        const int n = 2, l = 4, s = 5, e = 6, heads = 2, d = e / heads;
        var mha = nn.MultiheadAttention(e, heads, batch_first: true, dtype: float64);
        using (no_grad())
        {
            nn.init.normal_(mha.in_proj_bias!, 0, 0.5, g);
            nn.init.normal_(mha.out_proj.bias!, 0, 0.5, g);
        }

        var query = randn([n, l, e], float64, generator: g);
        var key = randn([n, s, e], float64, generator: g);
        var padding = tensor(new bool[] { false, false, false, true, true, false, false, false, false, false }, [n, s]);
        var (output, weights) = mha.forward(query, key, key, key_padding_mask: padding);

        var w = mha.in_proj_weight.data<double>();
        var b = mha.in_proj_bias!.data<double>();
        var ow = mha.out_proj.weight.data<double>();
        var ob = mha.out_proj.bias!.data<double>();
        var qd = query.data<double>();
        var kd = key.data<double>();
        double Project(double[] x, int row, int part, int j) // row of x times W[part*e + j] + b
        {
            var sum = b[(part * e) + j];
            for (var t = 0; t < e; t++)
            {
                sum += x[(row * e) + t] * w[(((part * e) + j) * e) + t];
            }

            return sum;
        }

        var expected = new double[n * l * e];
        for (var bi = 0; bi < n; bi++)
        {
            var merged = new double[l * e];
            for (var h = 0; h < heads; h++)
            {
                var qh = new double[l * d];
                var kh = new double[s * d];
                var vh = new double[s * d];
                for (var i = 0; i < l; i++)
                    for (var j = 0; j < d; j++)
                    {
                        qh[(i * d) + j] = Project(qd, (bi * l) + i, 0, (h * d) + j);
                    }

                for (var i = 0; i < s; i++)
                    for (var j = 0; j < d; j++)
                    {
                        kh[(i * d) + j] = Project(kd, (bi * s) + i, 1, (h * d) + j);
                        vh[(i * d) + j] = Project(kd, (bi * s) + i, 2, (h * d) + j);
                    }

                var mask = new double[l * s];
                for (var i = 0; i < l; i++)
                    for (var j = 0; j < s; j++)
                    {
                        mask[(i * s) + j] = bi == 0 && j >= 3 ? double.NegativeInfinity : 0;
                    }

                var head = Naive.Attention(qh, kh, vh, 1, l, s, d, d, mask, 1 / Math.Sqrt(d));
                for (var i = 0; i < l; i++)
                    for (var j = 0; j < d; j++)
                    {
                        merged[(i * e) + (h * d) + j] = head[(i * d) + j];
                    }
            }

            for (var i = 0; i < l; i++)
                for (var j = 0; j < e; j++)
                {
                    var sum = ob[j];
                    for (var t = 0; t < e; t++)
                    {
                        sum += merged[(i * e) + t] * ow[(j * e) + t];
                    }

                    expected[(((bi * l) + i) * e) + j] = sum;
                }
        }

        Assert.True(Naive.MaxAbsDifference(expected, output.data<double>()) < 1e-10);
        Assert.Equal([(long)n, l, s], weights!.shape);
        var firstBatchWeights = weights[0].data<double>();
        for (var i = 0; i < l; i++)
        {
            Assert.Equal(0, firstBatchWeights[(i * s) + 3]);
            Assert.Equal(1, firstBatchWeights.Skip(i * s).Take(s).Sum(), 10);
        }
    }
}
