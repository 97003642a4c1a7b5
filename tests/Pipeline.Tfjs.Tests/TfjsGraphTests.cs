using static TorchSharp.torch;

namespace Pipeline.Tfjs.Tests;

/// <summary>The executor's TensorFlow semantics against naive NHWC loops (float16 weights; tolerance 1e-4).</summary>
public sealed class TfjsGraphTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("tfjs-graph-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        // Exactly representable in float16, so the naive reference sees the same weights.
        return Enumerable.Range(0, count).Select(_ => (float)(Half)(float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    // TF SAME padding: pad_before = total / 2, the extra pixel after.
    private static double[] NaiveConv(float[] x, int h, int w, int c, float[] filter, int k, int o, int stride, float[] bias, bool depthwise, int multiplier, out int ho, out int wo)
    {
        ho = (h + stride - 1) / stride;
        wo = (w + stride - 1) / stride;
        var padH = Math.Max(((ho - 1) * stride) + k - h, 0) / 2;
        var padW = Math.Max(((wo - 1) * stride) + k - w, 0) / 2;
        var outChannels = depthwise ? c * multiplier : o;
        var y = new double[ho * wo * outChannels];
        for (var oy = 0; oy < ho; oy++)
            for (var ox = 0; ox < wo; ox++)
                for (var oc = 0; oc < outChannels; oc++)
                {
                    double sum = bias.Length > 0 ? bias[oc] : 0;
                    for (var ky = 0; ky < k; ky++)
                        for (var kx = 0; kx < k; kx++)
                        {
                            var iy = (oy * stride) + ky - padH;
                            var ix = (ox * stride) + kx - padW;
                            if (iy < 0 || ix < 0 || iy >= h || ix >= w)
                            {
                                continue;
                            }

                            if (depthwise)
                            {
                                var ic = oc / multiplier;
                                sum += x[(((iy * w) + ix) * c) + ic] * filter[(((((ky * k) + kx) * c) + ic) * multiplier) + (oc % multiplier)];
                            }
                            else
                            {
                                for (var ic = 0; ic < c; ic++)
                                {
                                    sum += x[(((iy * w) + ix) * c) + ic] * filter[(((((ky * k) + kx) * c) + ic) * o) + oc];
                                }
                            }
                        }

                    y[(((oy * wo) + ox) * outChannels) + oc] = sum;
                }

        return y;
    }

    [Fact]
    public void FusedConvWithAsymmetricSamePaddingAndRelu6MatchesTensorFlowSemantics()
    {
        const int h = 7, w = 6, c = 3, k = 3, o = 4;
        var x = Values(h * w * c, 1).Select(v => v * 4).ToArray();
        var filter = Values(k * k * c * o, 2);
        var bias = Values(o, 3);
        var path = new GraphBuilder()
            .Placeholder("x", 1, h, w, c)
            .Float16Const("filter", filter, k, k, c, o)
            .Float16Const("bias", bias, o)
            .Op("conv", "_FusedConv2D", ["x", "filter", "bias"], new()
            {
                ["strides"] = GraphBuilder.Ints(1, 2, 2, 1),
                ["dilations"] = GraphBuilder.Ints(1, 1, 1, 1),
                ["padding"] = GraphBuilder.Str("SAME"),
                ["data_format"] = GraphBuilder.Str("NHWC"),
                ["fused_ops"] = GraphBuilder.Strs("BiasAdd", "Relu6"),
            })
            .Write(directory);
        using var graph = TfjsGraph.Load(path);
        using var input = tensor(x, [1, h, w, c]);
        using var y = graph.Run("x", input, "conv");
        var expected = NaiveConv(x, h, w, c, filter, k, o, 2, bias, false, 1, out var ho, out var wo).Select(v => Math.Clamp(v, 0, 6)).ToArray();
        Assert.Equal([1L, ho, wo, o], y.shape);
        var actual = y.data<float>().ToArray();
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 1e-4));
    }

    [Fact]
    public void DepthwiseConvWithChannelMultiplierMatchesTensorFlowSemantics()
    {
        const int h = 6, w = 5, c = 3, k = 3, m = 2;
        var x = Values(h * w * c, 4);
        var filter = Values(k * k * c * m, 5);
        var path = new GraphBuilder()
            .Placeholder("x", 1, h, w, c)
            .Float16Const("filter", filter, k, k, c, m)
            .Op("dw", "DepthwiseConv2dNative", ["x", "filter"], new() { ["strides"] = GraphBuilder.Ints(1, 1, 1, 1), ["padding"] = GraphBuilder.Str("SAME") })
            .Write(directory);
        using var graph = TfjsGraph.Load(path);
        using var input = tensor(x, [1, h, w, c]);
        using var y = graph.Run("x", input, "dw");
        var expected = NaiveConv(x, h, w, c, filter, k, 0, 1, [], true, m, out var ho, out var wo);
        Assert.Equal([1L, ho, wo, c * m], y.shape);
        Assert.All(expected.Zip(y.data<float>().ToArray()), p => Assert.Equal(p.First, p.Second, 1e-4));
    }

    [Fact]
    public void IndexAndShapeOpsFollowTensorFlow()
    {
        var path = new GraphBuilder()
            .Placeholder("x", 2, 3)
            .IntConst("indices", [1, 2, 0, 0], 2, 2)
            .IntConst("axis", [1])
            .IntConst("shape", [3, 2], 2)
            .IntConst("perm", [1, 0], 2)
            .IntConst("sparse_indices", [1, 3], 2)
            .IntConst("dense_shape", [5])
            .IntConst("sparse_values", [7])
            .IntConst("sparse_default", [-1])
            .Op("gather", "GatherNd", ["x", "indices"])
            .Op("argmax", "ArgMax", ["x", "axis"], new() { ["output_type"] = new { type = "DT_INT32" } })
            .Op("reshape", "Reshape", ["x", "shape"])
            .Op("transpose", "Transpose", ["reshape", "perm"])
            .Op("dense", "SparseToDense", ["sparse_indices", "dense_shape", "sparse_values", "sparse_default"])
            .Write(directory);
        using var graph = TfjsGraph.Load(path);
        using var x = tensor(new float[] { 1, 9, 3, 4, 5, 6 }, [2, 3]);
        var outputs = graph.Run(new Dictionary<string, Tensor> { ["x"] = x }, "gather", "argmax", "transpose", "dense");
        Assert.Equal([6f, 1f], outputs[0].data<float>().ToArray());           // x[1, 2], x[0, 0]
        Assert.Equal([1, 2], outputs[1].data<int>().ToArray());
        Assert.Equal([1f, 3, 5, 9, 4, 6], outputs[2].data<float>().ToArray());
        Assert.Equal([-1, 7, -1, 7, -1], outputs[3].data<int>().ToArray());   // SparseToDense folded at load
        foreach (var o in outputs)
        {
            o.Dispose();
        }
    }

    [Fact]
    public void ProblemsAreReportedWithTheModelAndNode()
    {
        var path = new GraphBuilder()
            .Placeholder("x", 1, 2)
            .Op("odd", "Bucketize", ["x"])
            .Op("relu", "Relu", ["x"])
            .Write(directory);
        using var graph = TfjsGraph.Load(path);
        using var x = ones(1, 2);
        var unsupported = Assert.Throws<NotSupportedException>(() => graph.Run("x", x, "odd"));
        Assert.Contains("Bucketize", unsupported.Message);
        Assert.Contains(path, unsupported.Message);
        Assert.Contains("'x' was not fed", Assert.Throws<ArgumentException>(() => graph.Run(new Dictionary<string, Tensor>(), "relu")).Message);
        Assert.Contains("no node named 'nope'", Assert.Throws<ArgumentException>(() => graph.Run("x", x, "nope")).Message);

        File.Delete(Path.ChangeExtension(path, ".bin"));
        Assert.Contains("weight shard 'model.bin' not found", Assert.Throws<FileNotFoundException>(() => TfjsGraph.Load(path)).Message);
        File.WriteAllText(path, "{\"format\": \"layers-model\"}");
        Assert.Contains("not a TF.js graph model", Assert.Throws<InvalidDataException>(() => TfjsGraph.Load(path)).Message);
    }

    [Fact]
    public void KernelFailuresNameTheNodeAndInputShapes()
    {
        var path = new GraphBuilder()
            .Placeholder("x", 2, 3)
            .IntConst("shape", [4, 4], 2)
            .Op("reshape", "Reshape", ["x", "shape"])
            .Write(directory);
        using var graph = TfjsGraph.Load(path);
        using var x = ones(2, 3);
        var error = Assert.Throws<InvalidOperationException>(() => graph.Run("x", x, "reshape"));
        Assert.Contains("Reshape 'reshape'", error.Message);
        Assert.Contains("[2, 3] Float32", error.Message);
        Assert.IsType<System.Runtime.InteropServices.ExternalException>(error.InnerException);
    }
}
