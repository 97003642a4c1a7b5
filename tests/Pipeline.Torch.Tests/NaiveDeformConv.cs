namespace Pipeline.Torch.Tests;

/// <summary>
/// Independent reference for <see cref="VisionOps.deform_conv2d"/>: plain C# loops in double
/// precision, written from torchvision's CPU kernel for DCNv2, sharing no code with it. Arrays are row-major.
/// </summary>
internal static class NaiveDeformConv
{
    /// <summary>Modulated deformable convolution exactly as torchvision's CPU kernel defines it.</summary>
    public static double[] Forward(double[] x, int n, int c, int h, int w, double[] weight, int o, int kh, int kw, double[] offset, double[]? mask, double[]? bias,
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
