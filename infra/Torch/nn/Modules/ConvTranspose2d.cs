using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Modules;

/// <summary>2-D transposed convolution; weight [in, out/groups, kh, kw] as in PyTorch.</summary>
public sealed class ConvTranspose2d : nn.Module<Tensor, Tensor>
{
    public ConvTranspose2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long) stride, (long, long) padding, (long, long) output_padding, long groups = 1, bool hasBias = true, (long, long)? dilation = null, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : base(nameof(ConvTranspose2d))
    {
        if (in_channels % groups != 0 || out_channels % groups != 0)
        {
            throw new ArgumentException($"ConvTranspose2d: channels ({in_channels} in, {out_channels} out) must divide by groups ({groups})");
        }

        this.stride = stride;
        this.padding = padding;
        this.output_padding = output_padding;
        this.groups = groups;
        this.dilation = dilation ?? (1, 1);
        using (var w = empty([in_channels, out_channels / groups, kernel_size.Item1, kernel_size.Item2], dtype, device))
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

    public (long, long) stride { get; }

    public (long, long) padding { get; }

    public (long, long) output_padding { get; }

    public (long, long) dilation { get; }

    public long groups { get; }

    public nn.Parameter weight { get; }

    public nn.Parameter? bias { get; }

    public override Tensor forward(Tensor input) =>
        nn.functional.conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation);
}
