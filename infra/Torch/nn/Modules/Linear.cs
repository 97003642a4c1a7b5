using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>y = x·Wᵀ + b, initialised as PyTorch's Linear (uniform ±1/√in_features).</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    public Linear(long in_features, long out_features, bool hasBias = true, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(Linear))
    {
        this.in_features = in_features;
        this.out_features = out_features;
        using (var w = empty([out_features, in_features], dtype, device))
        {
            weight = new nn.Parameter(nn.init.kaiming_uniform_(w, Math.Sqrt(5)));
        }

        if (hasBias)
        {
            using var b = empty([out_features], dtype, device);
            bias = new nn.Parameter(nn.init.bias_uniform_(b, weight));
        }

        RegisterComponents();
    }

    public long in_features { get; }

    public long out_features { get; }

    public nn.Parameter weight { get; }

    public nn.Parameter? bias { get; }

    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
}
