using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

// Tensor creation: from .NET data, filled, ranges.
public static partial class torch
{
    private static (int Type, int Index) DeviceCodes(Device? device) =>
        device is null ? (0, -1) : ((int)device.type, device.index);

    private static Tensor Finish(Tensor created, bool requiresGrad)
    {
        if (requiresGrad)
        {
            created.requires_grad = true;
        }

        return created;
    }

    /// <summary>Copies <paramref name="data"/> (any element type with a torch dtype) into a new tensor of shape <paramref name="dimensions"/> (null: 1-D; empty: a scalar).</summary>
    public static unsafe Tensor from_span<T>(ReadOnlySpan<T> data, long[]? dimensions = null, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        var shape = dimensions ?? [data.Length];
        Tensor created;
        fixed (T* pointer = data)
        {
            created = Tensor.Wrap(ts_from_buffer(pointer, (long)data.Length * sizeof(T), shape, shape.Length, (int)ScalarTypeOf<T>(), out var r), r);
        }

        if (device is not null && device.type != DeviceType.CPU)
        {
            var onCpu = created;
            created = onCpu.to(device);
            onCpu.Dispose();
        }

        return Finish(created, requires_grad);
    }

    public static Tensor tensor(float[] data, long[]? dimensions = null, Device? device = null, bool requires_grad = false) =>
        from_span<float>(data, dimensions, device, requires_grad);

    public static Tensor tensor(double[] data, long[]? dimensions = null, Device? device = null, bool requires_grad = false) =>
        from_span<double>(data, dimensions, device, requires_grad);

    public static Tensor tensor(long[] data, long[]? dimensions = null, Device? device = null) => from_span<long>(data, dimensions, device);

    public static Tensor tensor(int[] data, long[]? dimensions = null, Device? device = null) => from_span<int>(data, dimensions, device);

    public static Tensor tensor(byte[] data, long[]? dimensions = null, Device? device = null) => from_span<byte>(data, dimensions, device);

    public static Tensor tensor(bool[] data, long[]? dimensions = null, Device? device = null) => from_span<bool>(data, dimensions, device);

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    public static Tensor tensor(Scalar value, ScalarType dtype = ScalarType.Float32, Device? device = null) => full([], value, dtype, device);

    public static Tensor empty(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var (type, index) = DeviceCodes(device);
        return Finish(Tensor.Wrap(ts_empty(size, size.Length, (int)dtype, type, index, out var r), r), requires_grad);
    }

    public static Tensor zeros(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var (type, index) = DeviceCodes(device);
        return Finish(Tensor.Wrap(ts_zeros(size, size.Length, (int)dtype, type, index, out var r), r), requires_grad);
    }

    public static Tensor ones(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var (type, index) = DeviceCodes(device);
        return Finish(Tensor.Wrap(ts_ones(size, size.Length, (int)dtype, type, index, out var r), r), requires_grad);
    }

    public static Tensor full(long[] size, Scalar value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var (type, index) = DeviceCodes(device);
        return Finish(Tensor.Wrap(ts_full(size, size.Length, value.Native, (int)dtype, type, index, out var r), r), requires_grad);
    }

    public static Tensor zeros(params long[] size) => zeros(size, ScalarType.Float32);
    public static Tensor ones(params long[] size) => ones(size, ScalarType.Float32);
    public static Tensor zeros_like(Tensor other) => zeros(other.shape, other.dtype, other.device);
    public static Tensor ones_like(Tensor other) => ones(other.shape, other.dtype, other.device);
    public static Tensor full_like(Tensor other, Scalar value) => full(other.shape, value, other.dtype, other.device);
    public static Tensor empty_like(Tensor other) => empty(other.shape, other.dtype, other.device);

    /// <summary>Values start, start + step, ... below end (dtype default: int64 when all are integers, else float32).</summary>
    public static Tensor arange(Scalar start, Scalar end, Scalar step, ScalarType? dtype = null, Device? device = null)
    {
        var (type, index) = DeviceCodes(device);
        var integral = start.Native.Kind == 1 && end.Native.Kind == 1 && step.Native.Kind == 1;
        var chosen = dtype ?? (integral ? ScalarType.Int64 : ScalarType.Float32);
        return Tensor.Wrap(ts_arange(start.Native, end.Native, step.Native, (int)chosen, type, index, out var r), r);
    }

    public static Tensor arange(Scalar end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);
    public static Tensor arange(Scalar start, Scalar end, ScalarType? dtype = null, Device? device = null) => arange(start, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var (type, index) = DeviceCodes(device);
        return Tensor.Wrap(ts_linspace(start, end, steps, (int)dtype, type, index, out var r), r);
    }

    public static Tensor eye(long n, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var (type, index) = DeviceCodes(device);
        return Tensor.Wrap(ts_eye(n, (int)dtype, type, index, out var r), r);
    }
}
