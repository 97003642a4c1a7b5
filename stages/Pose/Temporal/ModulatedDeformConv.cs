using Pipeline.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// A modulated deformable convolution layer (DCNv2): weight [out, in, k, k] and bias, applied by
/// <see cref="VisionOps.deform_conv2d"/> with offsets [N, 2·G·k², H, W] and masks [N, G·k², H, W]
/// given by the caller (G offset groups from their channel count). "Same" padding: the output keeps
/// the input's size. Initialised as an identity (the centre tap passes channel c to channel c), as
/// FaSRnet's official code does, so an untrained alignment leaves its input as it is.
/// </summary>
public sealed class ModulatedDeformConv : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly long dilation;

    public ModulatedDeformConv(string name, long inChannels, long outChannels, long kernel = 3, long dilation = 1)
        : base(name)
    {
        this.dilation = dilation;
        Kernel = kernel;
        using (no_grad())
        {
            var w = zeros(outChannels, inChannels, kernel, kernel);
            for (var c = 0; c < Math.Min(inChannels, outChannels); c++)
            {
                w[c, c, kernel / 2, kernel / 2] = tensor(1f);
            }

            weight = new Parameter(w);
            bias = new Parameter(zeros(outChannels));
        }

        RegisterComponents();
    }

    public long Kernel { get; }

    public override Tensor forward(Tensor input, Tensor offset, Tensor? mask)
    {
        var pad = dilation * (Kernel - 1) / 2;
        var output = VisionOps.deform_conv2d(input, offset, weight, bias, padding: (pad, pad), dilation: (dilation, dilation), mask: mask);
        // Multiply-adds of the convolution, plus the bilinear sampling of every tap (4 reads, ~8 FLOPs per value).
        FlopCounter.Add((2 * weight.numel() * output.size(2) * output.size(3)) + (8 * input.size(1) * Kernel * Kernel * output.size(2) * output.size(3)));
        return output;
    }
}
