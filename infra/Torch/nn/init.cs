using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Weight initialisers (in place, without recording gradients), as torch.nn.init.</summary>
        public static class init
        {
            public static Tensor uniform_(Tensor tensor, double low = 0, double high = 1, Generator? generator = null)
            {
                using var _ = no_grad();
                Native.Status.Check(ts_uniform_(tensor.Handle, low, high, generator?.Pointer ?? IntPtr.Zero));
                GC.KeepAlive(generator);
                return tensor;
            }

            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
            {
                using var _ = no_grad();
                Native.Status.Check(ts_normal_(tensor.Handle, mean, std, generator?.Pointer ?? IntPtr.Zero));
                GC.KeepAlive(generator);
                return tensor;
            }

            public static Tensor constant_(Tensor tensor, Scalar value)
            {
                using var _ = no_grad();
                return tensor.fill_(value);
            }

            public static Tensor zeros_(Tensor tensor) => constant_(tensor, 0);

            public static Tensor ones_(Tensor tensor) => constant_(tensor, 1);

            /// <summary>(fan_in, fan_out) as PyTorch computes them: dims 1 and 0 times the receptive field.</summary>
            public static (long fanIn, long fanOut) CalculateFanInAndFanOut(Tensor tensor)
            {
                var shape = tensor.shape;
                if (shape.Length < 2)
                {
                    throw new ArgumentException("fan in and fan out need a tensor of at least 2 dimensions");
                }

                var receptive = shape.Skip(2).Aggregate(1L, (a, b) => a * b);
                return (shape[1] * receptive, shape[0] * receptive);
            }

            /// <summary>Kaiming uniform for a leaky ReLU of slope <paramref name="a"/> (fan-in mode), PyTorch's default for conv and linear weights with a = √5.</summary>
            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, Generator? generator = null)
            {
                var (fanIn, _) = CalculateFanInAndFanOut(tensor);
                var gain = Math.Sqrt(2.0 / (1 + (a * a)));
                var bound = gain * Math.Sqrt(3.0 / fanIn);
                return uniform_(tensor, -bound, bound, generator);
            }

            public static Tensor kaiming_normal_(Tensor tensor, double a = 0, Generator? generator = null)
            {
                var (fanIn, _) = CalculateFanInAndFanOut(tensor);
                return normal_(tensor, 0, Math.Sqrt(2.0 / (1 + (a * a))) / Math.Sqrt(fanIn), generator);
            }

            public static Tensor xavier_uniform_(Tensor tensor, double gain = 1, Generator? generator = null)
            {
                var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
                var bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
                return uniform_(tensor, -bound, bound, generator);
            }

            /// <summary>PyTorch's default bias init for a layer whose weight has this fan-in.</summary>
            internal static Tensor bias_uniform_(Tensor bias, Tensor weight)
            {
                var (fanIn, _) = CalculateFanInAndFanOut(weight);
                var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                return uniform_(bias, -bound, bound);
            }
        }
    }
}
