using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>Batch norm; in training mode the running statistics are updated in place.</summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                Tensor.Wrap(ts_batch_norm(input.Handle, Tensor.HandleOf(weight), Tensor.HandleOf(bias), Tensor.HandleOf(running_mean), Tensor.HandleOf(running_var), training ? 1 : 0, momentum, eps, out var r), r);

            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                Tensor.Wrap(ts_layer_norm(input.Handle, normalized_shape, normalized_shape.Length, Tensor.HandleOf(weight), Tensor.HandleOf(bias), eps, out var r), r);

            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                Tensor.Wrap(ts_group_norm(input.Handle, num_groups, Tensor.HandleOf(weight), Tensor.HandleOf(bias), eps, out var r), r);
        }
    }
}
