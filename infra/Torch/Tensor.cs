using System.Runtime.InteropServices;
using Pipeline.Torch.Native;
using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

public static partial class torch
{
    /// <summary>
    /// A libtorch tensor. Owns one native reference, released by <see cref="Dispose"/>, by the
    /// innermost <see cref="DisposeScope"/> open when it was created, or (late) by the finalizer.
    /// </summary>
    public partial class Tensor : IDisposable
    {
        private readonly TensorHandle handle;

        internal Tensor(IntPtr pointer)
        {
            handle = new TensorHandle(pointer);
            DisposeScope.Current?.Attach(this);
        }

        internal TensorHandle Handle => handle;

        internal DisposeScope? OwningScope { get; set; }

        public bool IsInvalid => handle.IsInvalid || handle.IsClosed;

        /// <summary>Wraps a fresh native result, throwing libtorch's message if the call failed.</summary>
        internal static Tensor Wrap(int status, IntPtr result)
        {
            Status.Check(status);
            return new Tensor(result);
        }

        internal static Tensor? WrapOrNull(int status, IntPtr result)
        {
            Status.Check(status);
            return result == IntPtr.Zero ? null : new Tensor(result);
        }

        internal static TensorHandle HandleOf(Tensor? tensor) => tensor?.handle ?? TensorHandle.Null;

        public void Dispose()
        {
            OwningScope?.Forget(this);
            OwningScope = null;
            handle.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>Takes this tensor out of its dispose scope: the caller now disposes it.</summary>
        public Tensor DetachFromDisposeScope() => OwningScope?.Detach(this) ?? this;

        /// <summary>Hands this tensor to the scope outside its current one.</summary>
        public Tensor MoveToOuterDisposeScope() => OwningScope is { } scope ? scope.MoveToOuter<Tensor>(this) : this;

        // --- metadata -------------------------------------------------------------------

        public long dim()
        {
            Status.Check(ts_dim(handle, out var d));
            return d;
        }

        public long ndim => dim();

        public long[] shape
        {
            get
            {
                var sizes = new long[dim()];
                Status.Check(ts_sizes(handle, sizes));
                return sizes;
            }
        }

        public long size(long dimension)
        {
            var sizes = shape;
            return sizes[dimension < 0 ? dimension + sizes.Length : dimension];
        }

        public long[] stride()
        {
            var strides = new long[dim()];
            Status.Check(ts_strides(handle, strides));
            return strides;
        }

        public ScalarType dtype
        {
            get
            {
                Status.Check(ts_dtype(handle, out var d));
                return (ScalarType)d;
            }
        }

        public Device device
        {
            get
            {
                Status.Check(ts_device(handle, out var type, out var index));
                return new Device((DeviceType)type, index);
            }
        }

        public DeviceType device_type => device.type;

        public long numel()
        {
            Status.Check(ts_numel(handle, out var n));
            return n;
        }

        public bool is_contiguous()
        {
            Status.Check(ts_is_contiguous(handle, out var c));
            return c != 0;
        }

        public bool is_floating_point() => torch.is_floating_point(dtype);

        public override string ToString()
        {
            if (IsInvalid)
            {
                return "Tensor(disposed)";
            }

            Status.Check(ts_to_string(handle, out var text));
            try
            {
                return Marshal.PtrToStringUTF8(text) ?? string.Empty;
            }
            finally
            {
                ts_free(text);
            }
        }

        // --- element access and copies to .NET ------------------------------------------------

        /// <summary>The single value of a one-element tensor.</summary>
        public T item<T>()
            where T : unmanaged
        {
            if (typeof(T) == typeof(long) || typeof(T) == typeof(int) || typeof(T) == typeof(bool) || typeof(T) == typeof(byte))
            {
                Status.Check(ts_item_long(handle, out var l));
                return typeof(T) == typeof(bool) ? (T)(object)(l != 0) : (T)Convert.ChangeType(l, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
            }

            Status.Check(ts_item_double(handle, out var d));
            return typeof(T) == typeof(Half) ? (T)(object)(Half)d : (T)Convert.ChangeType(d, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <summary>Copies the elements (any device, any layout) into <paramref name="destination"/>.</summary>
        public unsafe void CopyTo<T>(Span<T> destination)
            where T : unmanaged
        {
            CheckElementType<T>();
            var count = numel();
            if (destination.Length != count)
            {
                throw new ArgumentException($"destination has {destination.Length} elements, the tensor {count}", nameof(destination));
            }

            fixed (T* pointer = destination)
            {
                Status.Check(ts_copy_to_buffer(handle, pointer, count * sizeof(T)));
            }
        }

        /// <summary>The elements in row-major order, copied into a new array.</summary>
        public T[] data<T>()
            where T : unmanaged
        {
            var result = new T[numel()];
            CopyTo<T>(result);
            return result;
        }

        private void CheckElementType<T>()
            where T : unmanaged
        {
            var expected = ScalarTypeOf<T>();
            if (dtype != expected)
            {
                throw new InvalidOperationException($"the tensor holds {dtype}, not {expected} ({typeof(T).Name}); convert with .to() first");
            }
        }
    }
}
