using static TorchSharp.torch;

namespace Pipeline.Torch;

/// <summary>
/// Ops of torchvision.ops that TorchSharp lacks (TorchVision 0.107 has box ops only), written on
/// TorchSharp's differentiable ops so autograd gives every gradient on any device.
/// </summary>
public static class VisionOps
{
    /// <summary>
    /// Modulated deformable convolution (DCNv2), with <c>torchvision.ops.deform_conv2d</c>'s semantics:
    /// <paramref name="input"/> [N, C, H, W]; <paramref name="offset"/> [N, 2·G·kh·kw, Ho, Wo] holding
    /// (dy, dx) per kernel tap for each of G offset groups (G from the channel count); <paramref name="weight"/>
    /// [O, C/groups, kh, kw] (groups from its second dimension); <paramref name="mask"/> [N, G·kh·kw, Ho, Wo]
    /// or null (DCNv1). Bilinear sampling with zeros outside the input. Built as grid_sample (one
    /// sampled column per tap) + a grouped matmul, the im2col form of the convolution.
    /// </summary>
    public static Tensor deform_conv2d(Tensor input, Tensor offset, Tensor weight, Tensor? bias = null,
        (long H, long W)? stride = null, (long H, long W)? padding = null, (long H, long W)? dilation = null, Tensor? mask = null)
    {
        var (sh, sw) = stride ?? (1, 1);
        var (ph, pw) = padding ?? (0, 0);
        var (dh, dw) = dilation ?? (1, 1);
        Check(input.dim() == 4, $"input must be [N, C, H, W], got {Shape(input)}");
        Check(weight.dim() == 4, $"weight must be [O, C/groups, kh, kw], got {Shape(weight)}");
        var (n, c, h, w) = (input.size(0), input.size(1), input.size(2), input.size(3));
        var (outC, kh, kw) = (weight.size(0), weight.size(2), weight.size(3));
        var k = kh * kw;
        Check(weight.size(1) > 0 && c % weight.size(1) == 0, $"weight expects a divisor of the {c} input channels per group, got {weight.size(1)}");
        var groups = c / weight.size(1);
        Check(outC % groups == 0, $"{outC} output channels do not divide into {groups} groups");
        var ho = ((h + (2 * ph) - ((dh * (kh - 1)) + 1)) / sh) + 1;
        var wo = ((w + (2 * pw) - ((dw * (kw - 1)) + 1)) / sw) + 1;
        Check(ho > 0 && wo > 0, $"output would be empty for input {Shape(input)}");
        Check(offset.dim() == 4 && offset.size(0) == n && offset.size(1) % (2 * k) == 0 && offset.size(1) > 0 && offset.size(2) == ho && offset.size(3) == wo,
            $"offset must be [{n}, 2·G·{k}, {ho}, {wo}], got {Shape(offset)}");
        var offsetGroups = offset.size(1) / (2 * k);
        Check(c % offsetGroups == 0, $"{c} input channels do not divide into {offsetGroups} offset groups");
        Check(mask is null || (mask.dim() == 4 && mask.size(0) == n && mask.size(1) == offsetGroups * k && mask.size(2) == ho && mask.size(3) == wo),
            $"mask must be [{n}, {offsetGroups * k}, {ho}, {wo}], got {(mask is null ? "" : Shape(mask))}");

        using var scope = NewDisposeScope();
        var dtype = input.dtype;
        var device = input.device;
        // Sampling positions as grid_sample reads them (align_corners = false maps pixel p to
        // (2p + 1) / size − 1), [N·G, K·Ho, Wo, (x, y)]: the regular grid — output position × stride −
        // padding plus the tap's place in the (dilated) kernel — normalised once at [K, Ho, Wo], plus
        // the learned offsets scaled to grid units in one fused op per axis (a third of the full-size
        // passes of offsetting first and normalising after).
        var baseY = (arange(ho, dtype, device) * sh - ph).view(1, ho, 1);
        var baseX = (arange(wo, dtype, device) * sw - pw).view(1, 1, wo);
        var taps = arange(k, ScalarType.Int64, device);
        var tapY = (taps.floor_divide(kw) * dh).to(dtype).view(k, 1, 1);
        var tapX = (taps.remainder(kw) * dw).to(dtype).view(k, 1, 1);
        var pairs = offset.view(n, offsetGroups, k, 2, ho, wo);
        var x = (((((baseX + tapX) * 2) + 1) / w) - 1).add(pairs.select(3, 1), alpha: 2.0 / w);
        var y = (((((baseY + tapY) * 2) + 1) / h) - 1).add(pairs.select(3, 0), alpha: 2.0 / h);
        var grid = stack([x, y], -1).view(n * offsetGroups, k * ho, wo, 2);
        var channelsPerGroup = c / offsetGroups;
        var sampled = nn.functional.grid_sample(input.reshape(n * offsetGroups, channelsPerGroup, h, w), grid,
            GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).view(n, offsetGroups, channelsPerGroup, k, ho, wo);
        // In place where autograd records nothing (inference): half the time of a new tensor.
        var inPlace = !is_grad_enabled() || !(input.requires_grad || offset.requires_grad || weight.requires_grad || (mask?.requires_grad ?? false) || (bias?.requires_grad ?? false));
        if (mask is not null)
        {
            var maskPerTap = mask.view(n, offsetGroups, 1, k, ho, wo);
            sampled = inPlace ? sampled.mul_(maskPerTap) : sampled * maskPerTap;
        }

        // Columns per convolution group, channel-major like im2col: [N, groups, (C/groups)·K, Ho·Wo].
        var columns = sampled.reshape(n, groups, c / groups * k, ho * wo);
        var kernel = weight.reshape(1, groups, outC / groups, c / groups * k);
        var result = kernel.matmul(columns).view(n, outC, ho, wo);
        if (bias is not null)
        {
            result = inPlace ? result.add_(bias.view(1, outC, 1, 1)) : result + bias.view(1, outC, 1, 1);
        }

        return result.MoveToOuterDisposeScope();
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"deform_conv2d: {message}");
        }
    }

    private static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
}
