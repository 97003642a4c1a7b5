using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>A parameterless layer that applies one function.</summary>
public class Lambda : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor> function;

    public Lambda(string name, Func<Tensor, Tensor> function)
        : base(name) => this.function = function;

    public override Tensor forward(Tensor input) => function(input);
}

public sealed class ReLU() : Lambda(nameof(ReLU), nn.functional.relu);

public sealed class ReLU6() : Lambda(nameof(ReLU6), nn.functional.relu6);

public sealed class LeakyReLU(double negative_slope = 0.01) : Lambda(nameof(LeakyReLU), x => nn.functional.leaky_relu(x, negative_slope));

public sealed class GELU(bool tanh_approximation = false) : Lambda(nameof(GELU), x => nn.functional.gelu(x, tanh_approximation));

public sealed class Sigmoid() : Lambda(nameof(Sigmoid), nn.functional.sigmoid);

public sealed class Tanh() : Lambda(nameof(Tanh), nn.functional.tanh);

public sealed class Hardswish() : Lambda(nameof(Hardswish), nn.functional.hardswish);

public sealed class SiLU() : Lambda(nameof(SiLU), nn.functional.silu);

/// <summary>Returns its input as a new handle (the caller owns every forward result).</summary>
public sealed class Identity() : Lambda(nameof(Identity), x => x.alias());

public sealed class Flatten(long start_dim = 1, long end_dim = -1) : Lambda(nameof(Flatten), x => x.flatten(start_dim, end_dim));

/// <summary>Dropout that is active only in training mode.</summary>
public sealed class Dropout : nn.Module<Tensor, Tensor>
{
    public Dropout(double p = 0.5)
        : base(nameof(Dropout))
    {
        if (p is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        }

        this.p = p;
    }

    public double p { get; }

    public override Tensor forward(Tensor input) => nn.functional.dropout(input, p, training);
}
