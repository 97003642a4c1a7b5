using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class nn
    {
        // Activations, softmax and dropout.
        public static partial class functional
        {
            public static Tensor relu(Tensor x) => x.relu();
            public static Tensor relu6(Tensor x) => Tensor.Wrap(ts_relu6(x.Handle, out var r), r);
            public static Tensor leaky_relu(Tensor x, double negative_slope = 0.01) => Tensor.Wrap(ts_leaky_relu(x.Handle, negative_slope, out var r), r);
            public static Tensor elu(Tensor x, double alpha = 1.0) => Tensor.Wrap(ts_elu(x.Handle, alpha, out var r), r);

            /// <summary>GELU, exact (erf) by default or with the tanh approximation.</summary>
            public static Tensor gelu(Tensor x, bool tanh_approximation = false) => Tensor.Wrap(ts_gelu(x.Handle, tanh_approximation ? 1 : 0, out var r), r);

            public static Tensor sigmoid(Tensor x) => x.sigmoid();
            public static Tensor tanh(Tensor x) => x.tanh();
            public static Tensor hardswish(Tensor x) => Tensor.Wrap(ts_hardswish(x.Handle, out var r), r);
            public static Tensor hardsigmoid(Tensor x) => Tensor.Wrap(ts_hardsigmoid(x.Handle, out var r), r);
            public static Tensor silu(Tensor x) => Tensor.Wrap(ts_silu(x.Handle, out var r), r);
            public static Tensor softplus(Tensor x) => Tensor.Wrap(ts_softplus(x.Handle, out var r), r);
            public static Tensor softmax(Tensor x, long dim) => x.softmax(dim);
            public static Tensor log_softmax(Tensor x, long dim) => x.log_softmax(dim);

            public static Tensor dropout(Tensor x, double p = 0.5, bool training = true) => Tensor.Wrap(ts_dropout(x.Handle, p, training ? 1 : 0, out var r), r);

            /// <summary>Zeroes whole channels (PyTorch's dropout2d / feature dropout).</summary>
            public static Tensor dropout2d(Tensor x, double p = 0.5, bool training = true) => Tensor.Wrap(ts_dropout2d(x.Handle, p, training ? 1 : 0, out var r), r);

            public static Tensor one_hot(Tensor x, long num_classes = -1) => Tensor.Wrap(ts_one_hot(x.Handle, num_classes, out var r), r);
        }
    }
}
