namespace Pipeline.Torch.Tests;

/// <summary>
/// Independent references: plain C# loops in double precision, written from the definitions
/// (PyTorch docs; torchvision's deform_conv2d kernel for DCNv2), sharing no code with the binding.
/// Arrays are row-major.
/// </summary>
internal static class Naive
{
    public static double[] Conv2d(double[] x, int n, int c, int h, int w, double[] weight, int o, int kh, int kw, double[]? bias,
        (int, int) stride, (int, int) padding, (int, int) dilation, int groups, out int ho, out int wo)
    {
        ho = ((h + (2 * padding.Item1) - (dilation.Item1 * (kh - 1)) - 1) / stride.Item1) + 1;
        wo = ((w + (2 * padding.Item2) - (dilation.Item2 * (kw - 1)) - 1) / stride.Item2) + 1;
        var cg = c / groups;
        var og = o / groups;
        var y = new double[n * o * ho * wo];
        for (var b = 0; b < n; b++)
            for (var oc = 0; oc < o; oc++)
            {
                var g = oc / og;
                for (var oy = 0; oy < ho; oy++)
                    for (var ox = 0; ox < wo; ox++)
                    {
                        var sum = bias?[oc] ?? 0;
                        for (var ic = 0; ic < cg; ic++)
                            for (var ky = 0; ky < kh; ky++)
                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var iy = (oy * stride.Item1) - padding.Item1 + (ky * dilation.Item1);
                                    var ix = (ox * stride.Item2) - padding.Item2 + (kx * dilation.Item2);
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                    {
                                        continue;
                                    }

                                    sum += x[(((b * c) + (g * cg) + ic) * h + iy) * w + ix] * weight[(((oc * cg) + ic) * kh + ky) * kw + kx];
                                }

                        y[(((b * o) + oc) * ho + oy) * wo + ox] = sum;
                    }
            }

        return y;
    }

    /// <summary>Transposed convolution as the scatter of each input pixel times the kernel (weight [C, O/g, kh, kw]).</summary>
    public static double[] ConvTranspose2d(double[] x, int n, int c, int h, int w, double[] weight, int o, int kh, int kw, double[]? bias,
        (int, int) stride, (int, int) padding, (int, int) outputPadding, (int, int) dilation, int groups, out int ho, out int wo)
    {
        ho = ((h - 1) * stride.Item1) - (2 * padding.Item1) + (dilation.Item1 * (kh - 1)) + outputPadding.Item1 + 1;
        wo = ((w - 1) * stride.Item2) - (2 * padding.Item2) + (dilation.Item2 * (kw - 1)) + outputPadding.Item2 + 1;
        var cg = c / groups;
        var og = o / groups;
        var y = new double[n * o * ho * wo];
        for (var b = 0; b < n; b++)
            for (var oc = 0; oc < o; oc++)
                for (var i = 0; i < ho * wo; i++)
                {
                    y[(((b * o) + oc) * ho * wo) + i] = bias?[oc] ?? 0;
                }

        for (var b = 0; b < n; b++)
            for (var ic = 0; ic < c; ic++)
            {
                var g = ic / cg;
                for (var iy = 0; iy < h; iy++)
                    for (var ix = 0; ix < w; ix++)
                    {
                        var v = x[(((b * c) + ic) * h + iy) * w + ix];
                        for (var j = 0; j < og; j++)
                            for (var ky = 0; ky < kh; ky++)
                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var oy = (iy * stride.Item1) - padding.Item1 + (ky * dilation.Item1);
                                    var ox = (ix * stride.Item2) - padding.Item2 + (kx * dilation.Item2);
                                    if (oy < 0 || oy >= ho || ox < 0 || ox >= wo)
                                    {
                                        continue;
                                    }

                                    var oc = (g * og) + j;
                                    y[(((b * o) + oc) * ho + oy) * wo + ox] += v * weight[(((ic * og) + j) * kh + ky) * kw + kx];
                                }
                    }
            }

        return y;
    }

    // torchvision's bilinear_interpolate: zero outside (-1, H) x (-1, W), out-of-range corners zero.
    private static double Bilinear(double[] x, int offset, int h, int w, double py, double px)
    {
        if (py <= -1 || py >= h || px <= -1 || px >= w)
        {
            return 0;
        }

        var y0 = (int)Math.Floor(py);
        var x0 = (int)Math.Floor(px);
        var ly = py - y0;
        var lx = px - x0;
        double At(int yy, int xx) => yy >= 0 && yy < h && xx >= 0 && xx < w ? x[offset + (yy * w) + xx] : 0;
        return ((1 - ly) * (1 - lx) * At(y0, x0)) + ((1 - ly) * lx * At(y0, x0 + 1)) + (ly * (1 - lx) * At(y0 + 1, x0)) + (ly * lx * At(y0 + 1, x0 + 1));
    }

    /// <summary>Modulated deformable convolution exactly as torchvision's CPU kernel defines it.</summary>
    public static double[] DeformConv2d(double[] x, int n, int c, int h, int w, double[] weight, int o, int kh, int kw, double[] offset, double[]? mask, double[]? bias,
        (int, int) stride, (int, int) padding, (int, int) dilation, int groups, int deformGroups, out int ho, out int wo)
    {
        ho = ((h + (2 * padding.Item1) - (dilation.Item1 * (kh - 1)) - 1) / stride.Item1) + 1;
        wo = ((w + (2 * padding.Item2) - (dilation.Item2 * (kw - 1)) - 1) / stride.Item2) + 1;
        var k = kh * kw;
        var cg = c / groups;
        var og = o / groups;
        var channelsPerDeformGroup = c / deformGroups;
        var y = new double[n * o * ho * wo];
        for (var b = 0; b < n; b++)
            for (var oc = 0; oc < o; oc++)
            {
                var g = oc / og;
                for (var oy = 0; oy < ho; oy++)
                    for (var ox = 0; ox < wo; ox++)
                    {
                        var sum = bias?[oc] ?? 0;
                        for (var ic = 0; ic < cg; ic++)
                        {
                            var channel = (g * cg) + ic;
                            var dg = channel / channelsPerDeformGroup;
                            for (var ky = 0; ky < kh; ky++)
                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var tap = (ky * kw) + kx;
                                    var dy = offset[((((b * deformGroups) + dg) * 2 * k) + (2 * tap)) * ho * wo + (oy * wo) + ox];
                                    var dx = offset[((((b * deformGroups) + dg) * 2 * k) + (2 * tap) + 1) * ho * wo + (oy * wo) + ox];
                                    var m = mask is null ? 1 : mask[((((b * deformGroups) + dg) * k) + tap) * ho * wo + (oy * wo) + ox];
                                    var py = (oy * stride.Item1) - padding.Item1 + (ky * dilation.Item1) + dy;
                                    var px = (ox * stride.Item2) - padding.Item2 + (kx * dilation.Item2) + dx;
                                    var v = Bilinear(x, ((b * c) + channel) * h * w, h, w, py, px);
                                    sum += m * v * weight[(((oc * cg) + ic) * kh + ky) * kw + kx];
                                }
                        }

                        y[(((b * o) + oc) * ho + oy) * wo + ox] = sum;
                    }
            }

        return y;
    }

    /// <summary>softmax(q kᵀ · scale + additive mask) v for [B, L, E] x [B, S, E] x [B, S, Ev].</summary>
    public static double[] Attention(double[] q, double[] k, double[] v, int batch, int l, int s, int e, int ev, double[]? additiveMask, double scale)
    {
        var result = new double[batch * l * ev];
        var scores = new double[s];
        for (var b = 0; b < batch; b++)
            for (var i = 0; i < l; i++)
            {
                var max = double.NegativeInfinity;
                for (var j = 0; j < s; j++)
                {
                    var dot = 0.0;
                    for (var t = 0; t < e; t++)
                    {
                        dot += q[(((b * l) + i) * e) + t] * k[(((b * s) + j) * e) + t];
                    }

                    scores[j] = (dot * scale) + (additiveMask?[(i * s) + j] ?? 0);
                    max = Math.Max(max, scores[j]);
                }

                var total = 0.0;
                for (var j = 0; j < s; j++)
                {
                    scores[j] = Math.Exp(scores[j] - max);
                    total += scores[j];
                }

                for (var j = 0; j < s; j++)
                    for (var t = 0; t < ev; t++)
                    {
                        result[(((b * l) + i) * ev) + t] += scores[j] / total * v[(((b * s) + j) * ev) + t];
                    }
            }

        return result;
    }

    public static double MaxAbsDifference(double[] a, double[] b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
