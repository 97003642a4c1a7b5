using System.Runtime.InteropServices;

namespace Pipeline.Torch.Native;

/// <summary>Mirror of the shim's <c>TsScalar</c>: a value and its kind, so integer math stays integer.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct NativeScalar
{
    public readonly double Real;
    public readonly long Integer;
    public readonly int Kind; // 0 = floating point, 1 = integer, 2 = boolean

    public NativeScalar(double real, long integer, int kind)
    {
        Real = real;
        Integer = integer;
        Kind = kind;
    }
}
