using System.Runtime.InteropServices;

namespace Pipeline.Torch.Native;

/// <summary>Owns one native <c>at::Tensor</c> reference; releasing it frees the reference.</summary>
internal sealed class TensorHandle : SafeHandle
{
    /// <summary>Passed where an optional tensor argument is absent; the shim sees a null pointer.</summary>
    internal static readonly TensorHandle Null = new();

    public TensorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal TensorHandle(IntPtr pointer)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(pointer);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibTorchShim.ts_tensor_free(handle);
        return true;
    }
}
