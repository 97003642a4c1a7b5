using Pipeline.Torch.Modules;
using static Pipeline.Torch.torch;

namespace Pipeline.Cli.Bench;

/// <summary>
/// MobileNetV2 (width 1.0) built from the binding's nn modules, layer for layer the network the
/// native benchmark loop builds (infra/native/bench/native_bench.cpp), so the two time the same work.
/// </summary>
internal sealed class MobileNetV2 : nn.Module<Tensor, Tensor>
{
    private static readonly int[][] Settings = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

    private readonly Sequential features;
    private readonly Linear classifier;

    public MobileNetV2()
        : base(nameof(MobileNetV2))
    {
        features = new Sequential(ConvBn(3, 32, 3, 2, 1, true));
        long input = 32;
        foreach (var s in Settings)
        {
            for (var i = 0; i < s[2]; i++)
            {
                features.append(new InvertedResidual(input, s[1], i == 0 ? s[3] : 1, s[0]));
                input = s[1];
            }
        }

        features.append(ConvBn(input, 1280, 1, 1, 1, true));
        classifier = nn.Linear(1280, 1000);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = nn.functional.adaptive_avg_pool2d(features.forward(input), (1, 1)).flatten(1);
        return scope.MoveToOuter(classifier.forward(pooled));
    }

    internal static Sequential ConvBn(long input, long output, long kernel, long stride, long groups, bool relu6)
    {
        var conv = nn.Conv2d(input, output, kernel, stride, (kernel - 1) / 2, groups: groups, bias: false);
        using (no_grad())
        using (var w = randn(conv.weight.shape) * 0.1)
        {
            conv.weight.copy_(w);
        }

        var layers = new Sequential(conv, nn.BatchNorm2d(output));
        return relu6 ? layers.append(nn.ReLU6()) : layers;
    }

    private sealed class InvertedResidual : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential block;
        private readonly bool residual;

        public InvertedResidual(long input, long output, long stride, long expand)
            : base(nameof(InvertedResidual))
        {
            var hidden = input * expand;
            block = new Sequential();
            if (expand != 1)
            {
                block.append(ConvBn(input, hidden, 1, 1, 1, true));
            }

            block.append(ConvBn(hidden, hidden, 3, stride, hidden, true));
            block.append(ConvBn(hidden, output, 1, 1, 1, false));
            residual = stride == 1 && input == output;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            var y = block.forward(input);
            if (!residual)
            {
                return y;
            }

            using (y)
            {
                return input + y;
            }
        }
    }
}
