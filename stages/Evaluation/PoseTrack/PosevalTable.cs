using System.Globalization;
using System.Numerics;
using System.Text;

namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>poseval's printed table rows, with Python's "%1.1f" (the exact binary value rounded half to even; .NET's F1 rounds ties away from zero).</summary>
public static class PosevalTable
{
    public const string ApHeader = @"& Head & Shou & Elb  & Wri  & Hip  & Knee & Ankl & Total\\";

    /// <summary>"&amp;" + each value but the last as "{:>5} &amp;", then the last as "{:>5} \\", as poseval's getCum rows print.</summary>
    public static string Row(IReadOnlyList<double> values)
    {
        var row = new StringBuilder("&");
        for (var i = 0; i < values.Count - 1; i++)
        {
            row.Append(Fixed1(values[i]).PadLeft(5)).Append(" &");
        }

        return row.Append(Fixed1(values[^1]).PadLeft(5)).Append(@" \\").ToString();
    }

    /// <summary>Python's "%1.1f" % value.</summary>
    public static string Fixed1(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        // value = mantissa × 2^exponent exactly; ten times it, rounded half to even, is the answer's digits.
        var bits = BitConverter.DoubleToInt64Bits(value);
        var negative = bits < 0;
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        exponent -= 1075;
        BigInteger numerator = mantissa * (BigInteger)10, denominator = BigInteger.One;
        if (exponent > 0)
        {
            numerator <<= exponent;
        }
        else
        {
            denominator <<= -exponent;
        }

        var tenths = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        if (twice > denominator || (twice == denominator && !tenths.IsEven))
        {
            tenths += 1;
        }

        var digits = tenths.ToString(CultureInfo.InvariantCulture).PadLeft(2, '0');
        return (negative ? "-" : "") + digits[..^1] + "." + digits[^1];
    }
}
