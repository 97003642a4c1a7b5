using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

// Grad-mode switches. Each is thread-local in libtorch: open and dispose the guard on one
// thread, and never hold it across an await.
public static partial class torch
{
    public static bool is_grad_enabled()
    {
        Native.Status.Check(ts_is_grad_enabled(out var value));
        return value != 0;
    }

    public static void set_grad_enabled(bool enabled) => Native.Status.Check(ts_set_grad_enabled(enabled ? 1 : 0));

    /// <summary>Disables gradient recording until disposed, restoring the previous mode.</summary>
    public static IDisposable no_grad() => new GradModeGuard(false);

    public static IDisposable enable_grad() => new GradModeGuard(true);

    /// <summary>libtorch's InferenceMode: no autograd bookkeeping at all (faster than no_grad).</summary>
    public static IDisposable inference_mode() => new InferenceModeGuard();

    private sealed class GradModeGuard : IDisposable
    {
        private readonly bool previous;
        private readonly int threadId = Environment.CurrentManagedThreadId;
        private bool disposed;

        public GradModeGuard(bool enabled)
        {
            previous = is_grad_enabled();
            set_grad_enabled(enabled);
        }

        public void Dispose()
        {
            if (disposed)
            {
                return;
            }

            if (Environment.CurrentManagedThreadId != threadId)
            {
                throw new InvalidOperationException("a grad-mode guard must be disposed on the thread that opened it (was it held across an await?)");
            }

            disposed = true;
            set_grad_enabled(previous);
        }
    }

    private sealed class InferenceModeGuard : IDisposable
    {
        private readonly int threadId = Environment.CurrentManagedThreadId;
        private IntPtr guard;

        public InferenceModeGuard() => Native.Status.Check(ts_inference_mode_enter(out guard));

        public void Dispose()
        {
            if (guard == IntPtr.Zero)
            {
                return;
            }

            if (Environment.CurrentManagedThreadId != threadId)
            {
                throw new InvalidOperationException("inference_mode must be disposed on the thread that opened it (was it held across an await?)");
            }

            ts_inference_mode_exit(guard);
            guard = IntPtr.Zero;
        }
    }
}
