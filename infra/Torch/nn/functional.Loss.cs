using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public enum Reduction
        {
            None = 0,
            Mean = 1,
            Sum = 2,
        }

        public static partial class functional
        {
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ts_mse_loss(input.Handle, target.Handle, (long)reduction, out var r), r);

            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ts_l1_loss(input.Handle, target.Handle, (long)reduction, out var r), r);

            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
                Tensor.Wrap(ts_smooth_l1_loss(input.Handle, target.Handle, (long)reduction, beta, out var r), r);

            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0) =>
                Tensor.Wrap(ts_cross_entropy(input.Handle, target.Handle, Tensor.HandleOf(weight), (long)reduction, ignore_index, label_smoothing, out var r), r);

            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ts_nll_loss(input.Handle, target.Handle, Tensor.HandleOf(weight), (long)reduction, ignore_index, out var r), r);

            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Tensor? pos_weight = null, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ts_binary_cross_entropy_with_logits(input.Handle, target.Handle, Tensor.HandleOf(weight), Tensor.HandleOf(pos_weight), (long)reduction, out var r), r);

            public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(ts_binary_cross_entropy(input.Handle, target.Handle, Tensor.HandleOf(weight), (long)reduction, out var r), r);
        }
    }
}
