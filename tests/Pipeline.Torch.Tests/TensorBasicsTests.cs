using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Tests;

public sealed class TensorBasicsTests
{
    [Fact]
    public void RoundTripsDotNetArraysForEveryDtype()
    {
        using var f = tensor(new float[] { 1.5f, -2, 3, 4, 5, 6 }, [2, 3]);
        Assert.Equal([2L, 3L], f.shape);
        Assert.Equal(ScalarType.Float32, f.dtype);
        Assert.Equal([1.5f, -2, 3, 4, 5, 6], f.data<float>());

        using var l = tensor(new long[] { 1, 2, long.MaxValue });
        Assert.Equal([1L, 2L, long.MaxValue], l.data<long>());
        using var i = tensor(new int[] { -7, 8 });
        Assert.Equal([-7, 8], i.data<int>());
        using var b = tensor(new byte[] { 0, 255 });
        Assert.Equal(new byte[] { 0, 255 }, b.data<byte>());
        using var m = tensor(new bool[] { true, false });
        Assert.Equal([true, false], m.data<bool>());

        using var h = f.to(float16);
        Assert.Equal(ScalarType.Float16, h.dtype);
        Assert.Equal((Half)1.5f, h.data<Half>()[0]);
        using var bf = f.to(bfloat16);
        using var back = bf.to(float32);
        Assert.Equal(ScalarType.BFloat16, bf.dtype);
        Assert.Equal([1.5f, -2, 3, 4, 5, 6], back.data<float>());
    }

    [Fact]
    public void CopyToRejectsWrongElementTypeOrLength()
    {
        using var f = ones(2, 2);
        Assert.Throws<InvalidOperationException>(() => f.data<double>());
        Assert.Throws<ArgumentException>(() => f.CopyTo<float>(new float[3]));
    }

    [Fact]
    public void CreationFunctionsFillAsPyTorch()
    {
        using var z = zeros(2, 3);
        Assert.All(z.data<float>(), v => Assert.Equal(0f, v));
        using var full7 = full([3], 7, int32);
        Assert.Equal([7, 7, 7], full7.data<int>());
        using var r = arange(0, 10, 3);
        Assert.Equal(ScalarType.Int64, r.dtype);
        Assert.Equal([0L, 3, 6, 9], r.data<long>());
        using var rf = arange(0.0, 1.0, 0.25);
        Assert.Equal([0f, 0.25f, 0.5f, 0.75f], rf.data<float>());
        using var e = eye(2);
        Assert.Equal([1f, 0, 0, 1], e.data<float>());
    }

    [Fact]
    public void SeededGeneratorsAreReproducible()
    {
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        using var a = randn([5], generator: g1);
        using var b = randn([5], generator: g2);
        Assert.Equal(a.data<float>(), b.data<float>());
        using var c = rand([1000], generator: g1);
        var values = c.data<float>();
        Assert.All(values, v => Assert.InRange(v, 0f, 1f));
        Assert.InRange(values.Average(), 0.45, 0.55);
        manual_seed(7);
        using var d = randn(3);
        manual_seed(7);
        using var e = randn(3);
        Assert.Equal(d.data<float>(), e.data<float>());
    }

    [Fact]
    public void BroadcastingMathAndOperators()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var row = tensor(new float[] { 10, 20, 30 });
        using var sum = a + row;
        Assert.Equal([11f, 22, 33, 14, 25, 36], sum.data<float>());
        using var scaled = 2 * a - 1;
        Assert.Equal([1f, 3, 5, 7, 9, 11], scaled.data<float>());
        using var divided = 6 / a;
        Assert.Equal(1f, divided.data<float>()[5], 5);
        using var neg = -a;
        Assert.Equal(-6f, neg.data<float>()[5]);
        using var ints = tensor(new long[] { 1, 2 });
        using var intsPlus = ints + 2;
        Assert.Equal(ScalarType.Int64, intsPlus.dtype);
        using var intsPlusHalf = ints + 0.5;
        Assert.Equal(ScalarType.Float32, intsPlusHalf.dtype);
        using var mask = a.gt(3);
        Assert.Equal([false, false, false, true, true, true], mask.data<bool>());
        using var picked = where(mask, a, zeros_like(a));
        Assert.Equal([0f, 0, 0, 4, 5, 6], picked.data<float>());
        using var clamped = a.clamp(2, 5);
        Assert.Equal([2f, 2, 3, 4, 5, 5], clamped.data<float>());
    }

    [Fact]
    public void ReductionsMatchHandComputedValues()
    {
        using var a = tensor(new float[] { 1, 5, 3, 4, 2, 6 }, [2, 3]);
        using var total = a.sum();
        Assert.Equal(21f, total.item<float>());
        using var rows = a.sum(1);
        Assert.Equal([9f, 12], rows.data<float>());
        using var mean = a.mean(0, keepdim: true);
        Assert.Equal([1L, 3], mean.shape);
        Assert.Equal([2.5f, 3.5f, 4.5f], mean.data<float>());
        var (values, indexes) = a.max(1);
        Assert.Equal([5f, 6], values.data<float>());
        Assert.Equal([1L, 2], indexes.data<long>());
        using var argmax = a.argmax();
        Assert.Equal(5L, argmax.item<long>());
        var (top, topIndex) = a.flatten().topk(2);
        Assert.Equal([6f, 5], top.data<float>());
        Assert.Equal([5L, 1], topIndex.data<long>());
        using var norm = tensor(new float[] { 3, 4 }).norm();
        Assert.Equal(5f, norm.item<float>(), 5);
        using var soft = tensor(new float[] { 0, 0 }).softmax(0);
        Assert.Equal([0.5f, 0.5f], soft.data<float>());
        using var logSoft = tensor(new float[] { 1, 2, 3 }).log_softmax(0);
        using var expected = tensor(new float[] { 1, 2, 3 }) - Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3));
        Assert.True(logSoft.allclose(expected, 1e-5, 1e-6));
    }

    [Fact]
    public void ViewsShareStorageAndShapeOpsRearrange()
    {
        using var a = arange(0, 24, 1, float32).reshape(2, 3, 4);
        using var p = a.permute(2, 0, 1);
        Assert.Equal([4L, 2, 3], p.shape);
        Assert.False(p.is_contiguous());
        using var c = p.contiguous();
        Assert.True(c.is_contiguous());
        using var n = a.narrow(2, 1, 2);
        Assert.Equal([2L, 3, 2], n.shape);
        n.fill_(-1);
        Assert.Equal(-1f, a.data<float>()[1]);
        using var s = a.select(0, 1);
        Assert.Equal([3L, 4], s.shape);
        using var idx = tensor(new long[] { 2, 0 });
        using var chosen = a.index_select(1, idx);
        Assert.Equal([2L, 2, 4], chosen.shape);
        using var gathered = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]).gather(1, tensor(new long[] { 1, 0, 0, 0 }, [2, 2]));
        Assert.Equal([2f, 1, 3, 3], gathered.data<float>());
        using var catted = cat([ones(2, 2), zeros(1, 2)], 0);
        Assert.Equal([3L, 2], catted.shape);
        using var stacked = stack([ones(2), zeros(2)], 1);
        Assert.Equal([2L, 2], stacked.shape);
        var parts = arange(0, 10, 1).split(4);
        Assert.Equal([4L, 4, 2], parts.Select(t => t.shape[0]).ToArray());
        var chunks = arange(0, 10, 1).chunk(3);
        Assert.Equal(3, chunks.Length);
        using var sq = zeros(1, 3, 1).squeeze();
        Assert.Equal([3L], sq.shape);
        using var un = zeros(3).unsqueeze(0);
        Assert.Equal([1L, 3], un.shape);
        using var ex = tensor(new float[] { 1, 2 }).unsqueeze(1).expand(2, 3);
        Assert.Equal([1f, 1, 1, 2, 2, 2], ex.data<float>());
        using var rep = tensor(new float[] { 1, 2 }).repeat(2);
        Assert.Equal([1f, 2, 1, 2], rep.data<float>());
        using var flat = zeros(2, 3, 4).flatten(1);
        Assert.Equal([2L, 12], flat.shape);
        using var tr = zeros(2, 5).transpose(0, 1);
        Assert.Equal([5L, 2], tr.shape);
    }

    [Fact]
    public void IndexingReadsAndWritesLikePyTorch()
    {
        using var a = arange(0, 12, 1, float32).reshape(3, 4);
        using var row = a[1];
        Assert.Equal([4f, 5, 6, 7], row.data<float>());
        using var column = a[.., 2];
        Assert.Equal([2f, 6, 10], column.data<float>());
        using var block = a[1.., ..2];
        Assert.Equal([4f, 5, 8, 9], block.data<float>());
        using var stepped = a[TensorIndex.Ellipsis, TensorIndex.Slice(0, null, 2)];
        Assert.Equal([3L, 2], stepped.shape);
        using var lastRow = a[^1..];
        Assert.Equal([8f, 9, 10, 11], lastRow.data<float>());
        using var added = a[TensorIndex.None, .., 0];
        Assert.Equal([1L, 3], added.shape);
        using var mask = a.gt(9);
        using var picked = a[mask];
        Assert.Equal([10f, 11], picked.data<float>());
        using var rows = tensor(new long[] { 2, 0 });
        using var pickedRows = a[rows];
        Assert.Equal([2L, 4], pickedRows.shape);

        a[0, ..] = tensor(new float[] { -1, -2, -3, -4 });
        Assert.Equal(-3f, a.data<float>()[2]);
        a.index_fill_([TensorIndex.Slice(), 3], 100);
        Assert.Equal(100f, a.data<float>()[11]);
    }

    [Fact]
    public void LibtorchErrorsBecomeExceptionsAndTheProcessKeepsWorking()
    {
        using var a = ones(2, 3);
        using var b = ones(4, 5);
        var error = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("cannot be multiplied", error.Message);
        Assert.DoesNotContain("Exception raised from", error.Message); // no C++ backtrace
        var viewError = Assert.Throws<TorchException>(() => a.view(7));
        Assert.Contains("invalid for input of size 6", viewError.Message);

        using var ok = a.matmul(ones(3, 2));
        Assert.Equal([2L, 2], ok.shape);
        Assert.Equal(3f, ok.data<float>()[0]);
    }

    [Fact]
    public void DisposedTensorsFailClearly()
    {
        var a = ones(2);
        a.Dispose();
        a.Dispose();
        Assert.True(a.IsInvalid);
        Assert.Throws<ObjectDisposedException>(() => a.sum());
        Assert.Equal("Tensor(disposed)", a.ToString());
    }

    [Fact]
    public void DeviceParsingAndCpuPlacement()
    {
        Assert.Equal(new Device(DeviceType.CUDA, 1), device("cuda:1"));
        Assert.Equal(CPU, device("cpu"));
        Assert.Throws<ArgumentException>(() => device("tpu"));
        using var a = ones(2);
        Assert.Equal(DeviceType.CPU, a.device_type);
        if (!cuda.is_available())
        {
            var error = Assert.Throws<TorchException>(() => a.to(CUDA));
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
    }

    [Fact]
    public void RuntimeIsConfiguredAtLoad()
    {
        Assert.Equal(Environment.ProcessorCount, get_num_threads());
        Assert.Matches(@"^\d+\.\d+\.\d+$", libtorch_version());
    }
}
