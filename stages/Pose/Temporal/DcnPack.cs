using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// A DCNv2 with its own offset/mask prediction (EDVR's "DCNv2Pack", FaSRnet's DCN_2): a 3×3 conv on an
/// offset feature gives, per offset group, 2·9 offsets (dy, dx per tap) and 9 mask logits (sigmoid);
/// the deformable convolution then samples <c>input</c> with them. The offset conv starts at zero
/// offsets and masks of 0.95 (bias 3), so an untrained pack passes its input through almost unchanged.
/// </summary>
public sealed class DcnPack : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Conv2d conv_offset_mask;
    private readonly ModulatedDeformConv dcn;
    private readonly long groups;

    public DcnPack(string name, long channels, long offsetChannels, long dilation = 1, long offsetGroups = 1, long outChannels = -1)
        : base(name)
    {
        groups = offsetGroups;
        conv_offset_mask = nn.Conv2d(offsetChannels, 27 * offsetGroups, 3, padding: 1);
        dcn = new ModulatedDeformConv("dcn", channels, outChannels < 0 ? channels : outChannels, 3, dilation);
        using (no_grad())
        {
            conv_offset_mask.weight!.zero_();
            conv_offset_mask.bias!.zero_();
            conv_offset_mask.bias![TensorIndex.Slice(18 * offsetGroups, null)].fill_(3);
        }

        RegisterComponents();
    }

    /// <summary><paramref name="input"/> [N, C, H, W] sampled with offsets from <paramref name="offsetFeature"/> [N, offsetChannels, H, W].</summary>
    public override Tensor forward(Tensor input, Tensor offsetFeature)
    {
        using var scope = NewDisposeScope();
        var predicted = conv_offset_mask.call(offsetFeature);
        var offset = predicted.narrow(1, 0, 18 * groups);
        var mask = predicted.narrow(1, 18 * groups, 9 * groups).sigmoid();
        return dcn.call(input, offset, mask).MoveToOuterDisposeScope();
    }
}
