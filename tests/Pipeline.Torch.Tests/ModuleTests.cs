using Pipeline.Torch.Modules;
using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Tests;

public sealed class ModuleTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("torch-modules-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private sealed class TinyNet : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv = nn.Conv2d(3, 8, 3, padding: 1);
        private readonly BatchNorm2d norm = nn.BatchNorm2d(8);
        private readonly ModuleList<Linear> heads = nn.ModuleList(nn.Linear(8, 4), nn.Linear(4, 2));

        public TinyNet()
            : base(nameof(TinyNet)) => RegisterComponents();

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = nn.functional.relu(norm.forward(conv.forward(input))).mean([2, 3]);
            foreach (var head in heads)
            {
                x = head.forward(x);
            }

            return scope.MoveToOuter(x);
        }
    }

    [Fact]
    public void ParametersAndBuffersHavePyTorchNames()
    {
        using var net = new TinyNet();
        Assert.Equal(
            ["conv.weight", "conv.bias", "norm.weight", "norm.bias", "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias"],
            net.named_parameters().Select(p => p.name));
        Assert.Equal(["norm.running_mean", "norm.running_var", "norm.num_batches_tracked"], net.named_buffers().Select(b => b.name));
        Assert.All(net.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(8 * 3 * 9 + 8 + 8 + 8 + 32 + 4 + 8 + 2, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void DefaultInitialisationFollowsPyTorchBounds()
    {
        using var linear = nn.Linear(100, 50);
        var bound = 1 / Math.Sqrt(100);
        Assert.All(linear.weight.data<float>(), v => Assert.InRange(v, -bound, bound));
        Assert.All(linear.bias!.data<float>(), v => Assert.InRange(v, -bound, bound));
        Assert.InRange(linear.weight.data<float>().Select(v => (double)v * v).Average(), bound * bound / 3 * 0.8, bound * bound / 3 * 1.2);
    }

    [Fact]
    public void TrainAndEvalChangeBatchNormBehaviour()
    {
        using var scope = NewDisposeScope();
        using var net = new TinyNet();
        var x = randn(4, 3, 8, 8) * 3 + 1;
        net.train();
        net.forward(x);
        var stats = net.state_dict();
        Assert.Equal(1L, stats["norm.num_batches_tracked"].item<long>());
        Assert.NotEqual(0f, stats["norm.running_mean"].abs().sum().item<float>());
        net.eval();
        Assert.False(net.training);
        var a = net.forward(x);
        var b = net.forward(x);
        Assert.True(a.allclose(b));
        Assert.Equal(1L, stats["norm.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void StateDictSavesAndLoadsThroughSafetensors()
    {
        using var scope = NewDisposeScope();
        using var first = new TinyNet();
        using var second = new TinyNet();
        var x = randn(2, 3, 6, 6);
        first.eval();
        second.eval();
        var path = Path.Combine(directory, "tiny.safetensors");
        first.save(path);
        second.load(path);
        Assert.True(first.forward(x).allclose(second.forward(x)));
    }

    [Fact]
    public void LoadStateDictReportsMismatchesByName()
    {
        using var scope = NewDisposeScope();
        using var net = new TinyNet();
        var state = net.state_dict().ToDictionary(p => p.Key, p => p.Value);
        state.Remove("conv.bias");
        state["extra"] = zeros(1);
        var error = Assert.Throws<InvalidOperationException>(() => net.load_state_dict(state));
        Assert.Contains("missing [conv.bias]", error.Message);
        Assert.Contains("unexpected [extra]", error.Message);
        state = net.state_dict().ToDictionary(p => p.Key, p => p.Value);
        state["heads.1.bias"] = zeros(3);
        Assert.Contains("'heads.1.bias' has shape [3]", Assert.Throws<InvalidOperationException>(() => net.load_state_dict(state)).Message);
    }

    [Fact]
    public void ToDtypeConvertsFloatingTensorsInPlace()
    {
        using var net = new TinyNet();
        var weight = net.named_parameters().First().parameter;
        net.to(float64);
        Assert.Equal(ScalarType.Float64, weight.dtype);
        Assert.Equal(ScalarType.Int64, net.state_dict()["norm.num_batches_tracked"].dtype);
        using var y = net.forward(randn([1, 3, 4, 4], float64));
        Assert.Equal(ScalarType.Float64, y.dtype);
    }

    [Fact]
    public void SequentialChainsLayersAndDisposesIntermediates()
    {
        using var scope = NewDisposeScope();
        var seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2));
        seq.eval();
        var x = randn(3, 4);
        var before = scope.DisposablesCount;
        var y = seq.forward(x);
        Assert.Equal([3L, 2], y.shape);
        Assert.Equal(before + 1, scope.DisposablesCount); // only the result is left
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias"], seq.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void LayersProduceTheirDocumentedShapes()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 4, 8, 8);
        Assert.Equal([2L, 6, 17, 17], nn.ConvTranspose2d(4, 6, 3, stride: 2, padding: 0).forward(x).shape);
        Assert.Equal([2L, 4, 8, 8], nn.GroupNorm(2, 4).forward(x).shape);
        Assert.Equal([2L, 4, 8, 8], nn.LayerNorm([8, 8]).forward(x).shape);
        Assert.Equal([2L, 4, 4, 4], nn.MaxPool2d(2).forward(x).shape);
        Assert.Equal([2L, 4, 1, 1], nn.AdaptiveAvgPool2d(1).forward(x).shape);
        Assert.Equal([2L, 256], nn.Flatten().forward(x).shape);
    }
}
