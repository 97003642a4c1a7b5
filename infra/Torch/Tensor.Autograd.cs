using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    // Autograd: leaf flags, gradients and backward.
    public partial class Tensor
    {
        public bool requires_grad
        {
            get
            {
                Native.Status.Check(ts_requires_grad(Handle, out var value));
                return value != 0;
            }

            set => Native.Status.Check(ts_set_requires_grad(Handle, value ? 1 : 0));
        }

        public Tensor requires_grad_(bool value = true)
        {
            requires_grad = value;
            return this;
        }

        public bool is_leaf
        {
            get
            {
                Native.Status.Check(ts_is_leaf(Handle, out var value));
                return value != 0;
            }
        }

        /// <summary>The accumulated gradient (a new handle each time; null before any backward).</summary>
        public Tensor? grad
        {
            get => WrapOrNull(ts_grad(Handle, out var r), r);
            set => Native.Status.Check(ts_set_grad(Handle, HandleOf(value)));
        }

        public void backward(Tensor? gradient = null, bool retain_graph = false, bool create_graph = false) =>
            Native.Status.Check(ts_backward(Handle, HandleOf(gradient), retain_graph ? 1 : 0, create_graph ? 1 : 0));

        public Tensor detach() => Wrap(ts_detach(Handle, out var r), r);
    }
}
