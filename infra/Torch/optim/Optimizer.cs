using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// A libtorch optimizer over a fixed set of parameters (one parameter group). The native
        /// optimizer holds its own references to the parameters' storage, so in-place updates are
        /// what the model sees.
        /// </summary>
        public abstract class Optimizer : IDisposable
        {
            private IntPtr pointer;

            private protected Optimizer(IEnumerable<nn.Parameter> parameters, Func<IntPtr[], int, (int Status, IntPtr Optimizer)> create)
            {
                var list = parameters.ToList();
                if (list.Count == 0)
                {
                    throw new ArgumentException("the optimizer was given no parameters", nameof(parameters));
                }

                var handles = list.Select(p => p.Handle.DangerousGetHandle()).ToArray();
                var (status, created) = create(handles, handles.Length);
                GC.KeepAlive(list);
                Native.Status.Check(status);
                pointer = created;
                InitialLearningRate = LearningRate;
            }

            private IntPtr Pointer => pointer != IntPtr.Zero ? pointer : throw new ObjectDisposedException(GetType().Name);

            /// <summary>The learning rate the optimizer was created with (schedulers scale from it).</summary>
            public double InitialLearningRate { get; }

            public double LearningRate
            {
                get
                {
                    Native.Status.Check(ts_optim_get_lr(Pointer, out var lr));
                    return lr;
                }

                set => Native.Status.Check(ts_optim_set_lr(Pointer, value));
            }

            public void step() => Native.Status.Check(ts_optim_step(Pointer));

            public void zero_grad() => Native.Status.Check(ts_optim_zero_grad(Pointer));

            public void Dispose()
            {
                if (pointer != IntPtr.Zero)
                {
                    ts_optim_free(pointer);
                    pointer = IntPtr.Zero;
                }

                GC.SuppressFinalize(this);
            }

            ~Optimizer() => Dispose();
        }

        /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter), libtorch's AdamW.</summary>
        public sealed class AdamW(IEnumerable<nn.Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0.01, bool amsgrad = false)
            : Optimizer(parameters, (handles, n) => (ts_optim_adamw_new(handles, n, lr, beta1, beta2, eps, weight_decay, amsgrad ? 1 : 0, out var o), o));

        public sealed class Adam(IEnumerable<nn.Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false)
            : Optimizer(parameters, (handles, n) => (ts_optim_adam_new(handles, n, lr, beta1, beta2, eps, weight_decay, amsgrad ? 1 : 0, out var o), o));

        /// <summary>Stochastic gradient descent with optional (Nesterov) momentum, libtorch's SGD.</summary>
        public sealed class SGD(IEnumerable<nn.Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false)
            : Optimizer(parameters, (handles, n) => (ts_optim_sgd_new(handles, n, lr, momentum, dampening, weight_decay, nesterov ? 1 : 0, out var o), o));
    }
}
