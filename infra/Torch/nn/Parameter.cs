using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// A trainable tensor owned by a module: a leaf sharing storage with the tensor it was made
        /// from. Never collected by a dispose scope; its module disposes it.
        /// </summary>
        public sealed class Parameter : Tensor
        {
            public Parameter(Tensor data, bool requires_grad = true)
                : base(Detached(data))
            {
                DetachFromDisposeScope();
                this.requires_grad = requires_grad;
            }

            private static IntPtr Detached(Tensor data)
            {
                Native.Status.Check(ts_detach(data.Handle, out var result));
                return result;
            }
        }
    }
}
