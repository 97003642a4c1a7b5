using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>Group norm over channel groups of [N, C, ...].</summary>
public sealed class GroupNorm : nn.Module<Tensor, Tensor>
{
    public GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(GroupNorm))
    {
        if (num_channels % num_groups != 0)
        {
            throw new ArgumentException($"GroupNorm: {num_channels} channels do not divide into {num_groups} groups");
        }

        this.num_groups = num_groups;
        this.eps = eps;
        if (affine)
        {
            using var w = ones([num_channels], dtype, device);
            using var b = zeros([num_channels], dtype, device);
            weight = new nn.Parameter(w);
            bias = new nn.Parameter(b);
        }

        RegisterComponents();
    }

    public long num_groups { get; }

    public double eps { get; }

    public nn.Parameter? weight { get; }

    public nn.Parameter? bias { get; }

    public override Tensor forward(Tensor input) => nn.functional.group_norm(input, num_groups, weight, bias, eps);
}
