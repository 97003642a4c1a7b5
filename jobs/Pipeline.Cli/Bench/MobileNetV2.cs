using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Cli.Bench;

/// <summary>MobileNetV2 (width 1.0, 224², random weights): a standard CNN workload for `bench runtime`.</summary>
internal sealed class MobileNetV2 : nn.Module<Tensor, Tensor>
{
    private static readonly int[][] Settings = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

    private readonly Sequential features;
    private readonly Linear classifier;

    public MobileNetV2()
        : base(nameof(MobileNetV2))
    {
        var layers = new List<nn.Module<Tensor, Tensor>> { ConvBn(3, 32, 3, 2, 1, true) };
        long input = 32;
        foreach (var s in Settings)
        {
            for (var i = 0; i < s[2]; i++)
            {
                layers.Add(new InvertedResidual(input, s[1], i == 0 ? s[3] : 1, s[0]));
                input = s[1];
            }
        }

        layers.Add(ConvBn(input, 1280, 1, 1, 1, true));
        features = nn.Sequential(layers);
        classifier = nn.Linear(1280, 1000);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = nn.functional.adaptive_avg_pool2d(features.forward(input), [1, 1]).flatten(1);
        return classifier.forward(pooled).MoveToOuterDisposeScope();
    }

    private static Sequential ConvBn(long input, long output, long kernel, long stride, long groups, bool relu6)
    {
        var conv = nn.Conv2d(input, output, kernel, stride, (kernel - 1) / 2, groups: groups, bias: false);
        var layers = new List<nn.Module<Tensor, Tensor>> { conv, nn.BatchNorm2d(output) };
        if (relu6)
        {
            layers.Add(nn.ReLU6());
        }

        return nn.Sequential(layers);
    }

    private sealed class InvertedResidual : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential block;
        private readonly bool residual;

        public InvertedResidual(long input, long output, long stride, long expand)
            : base(nameof(InvertedResidual))
        {
            var hidden = input * expand;
            var layers = new List<nn.Module<Tensor, Tensor>>();
            if (expand != 1)
            {
                layers.Add(ConvBn(input, hidden, 1, 1, 1, true));
            }

            layers.Add(ConvBn(hidden, hidden, 3, stride, hidden, true));
            layers.Add(ConvBn(hidden, output, 1, 1, 1, false));
            block = nn.Sequential(layers);
            residual = stride == 1 && input == output;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            if (!residual)
            {
                return block.forward(input);
            }

            using var y = block.forward(input);
            return input + y;
        }
    }
}
