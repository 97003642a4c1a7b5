using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>Layer norm over the trailing <c>normalized_shape</c> dimensions.</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(LayerNorm))
    {
        this.normalized_shape = normalized_shape;
        this.eps = eps;
        if (elementwise_affine)
        {
            using var w = ones(normalized_shape, dtype, device);
            using var b = zeros(normalized_shape, dtype, device);
            weight = new nn.Parameter(w);
            bias = new nn.Parameter(b);
        }

        RegisterComponents();
    }

    public long[] normalized_shape { get; }

    public double eps { get; }

    public nn.Parameter? weight { get; }

    public nn.Parameter? bias { get; }

    public override Tensor forward(Tensor input) => nn.functional.layer_norm(input, normalized_shape, weight, bias, eps);
}
