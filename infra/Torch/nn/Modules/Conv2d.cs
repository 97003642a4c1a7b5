using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>2-D convolution with zero padding, initialised as PyTorch's Conv2d.</summary>
public sealed class Conv2d : nn.Module<Tensor, Tensor>
{
    public Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long) stride, (long, long) padding, (long, long) dilation, long groups = 1, bool hasBias = true, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(Conv2d))
    {
        if (in_channels % groups != 0 || out_channels % groups != 0)
        {
            throw new ArgumentException($"Conv2d: channels ({in_channels} in, {out_channels} out) must divide by groups ({groups})");
        }

        this.in_channels = in_channels;
        this.out_channels = out_channels;
        this.kernel_size = kernel_size;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        using (var w = empty([out_channels, in_channels / groups, kernel_size.Item1, kernel_size.Item2], dtype, device))
        {
            weight = new nn.Parameter(nn.init.kaiming_uniform_(w, Math.Sqrt(5)));
        }

        if (hasBias)
        {
            using var b = empty([out_channels], dtype, device);
            bias = new nn.Parameter(nn.init.bias_uniform_(b, weight));
        }

        RegisterComponents();
    }

    public long in_channels { get; }

    public long out_channels { get; }

    public (long, long) kernel_size { get; }

    public (long, long) stride { get; }

    public (long, long) padding { get; }

    public (long, long) dilation { get; }

    public long groups { get; }

    public nn.Parameter weight { get; }

    public nn.Parameter? bias { get; }

    public override Tensor forward(Tensor input) => nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
}
