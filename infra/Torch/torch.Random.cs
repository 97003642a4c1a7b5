using static Pipeline.Torch.Native.LibTorchShim;

namespace Pipeline.Torch;

// Random tensors. Without a generator they draw from libtorch's global one (torch.manual_seed);
// with a seeded Generator the numbers are reproducible and the same on every device.
public static partial class torch
{
    public static void manual_seed(long seed) => Native.Status.Check(ts_manual_seed(unchecked((ulong)seed)));

    private static IntPtr GeneratorPointer(Generator? generator) => generator?.Pointer ?? IntPtr.Zero;

    public static Tensor rand(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, Generator? generator = null, bool requires_grad = false)
    {
        var (type, index) = DeviceCodes(device);
        var result = Finish(Tensor.Wrap(ts_rand(size, size.Length, GeneratorPointer(generator), (int)dtype, type, index, out var r), r), requires_grad);
        GC.KeepAlive(generator);
        return result;
    }

    public static Tensor randn(long[] size, ScalarType dtype = ScalarType.Float32, Device? device = null, Generator? generator = null, bool requires_grad = false)
    {
        var (type, index) = DeviceCodes(device);
        var result = Finish(Tensor.Wrap(ts_randn(size, size.Length, GeneratorPointer(generator), (int)dtype, type, index, out var r), r), requires_grad);
        GC.KeepAlive(generator);
        return result;
    }

    public static Tensor rand(params long[] size) => rand(size, ScalarType.Float32);
    public static Tensor randn(params long[] size) => randn(size, ScalarType.Float32);

    public static Tensor randint(long low, long high, long[] size, ScalarType dtype = ScalarType.Int64, Device? device = null, Generator? generator = null)
    {
        var (type, index) = DeviceCodes(device);
        var result = Tensor.Wrap(ts_randint(low, high, size, size.Length, GeneratorPointer(generator), (int)dtype, type, index, out var r), r);
        GC.KeepAlive(generator);
        return result;
    }

    public static Tensor randperm(long n, Device? device = null, Generator? generator = null)
    {
        var (type, index) = DeviceCodes(device);
        var result = Tensor.Wrap(ts_randperm(n, GeneratorPointer(generator), type, index, out var r), r);
        GC.KeepAlive(generator);
        return result;
    }

    public static Tensor bernoulli(Tensor probabilities, Generator? generator = null)
    {
        var result = Tensor.Wrap(ts_bernoulli(probabilities.Handle, GeneratorPointer(generator), out var r), r);
        GC.KeepAlive(generator);
        return result;
    }

    /// <summary>A seeded random number generator (TorchSharp's <c>torch.Generator</c>).</summary>
    public sealed class Generator : IDisposable
    {
        private IntPtr pointer;

        public Generator(long seed)
        {
            Native.Status.Check(ts_generator_new(unchecked((ulong)seed), out pointer));
            initial_seed = seed;
        }

        public long initial_seed { get; }

        internal IntPtr Pointer => pointer != IntPtr.Zero ? pointer : throw new ObjectDisposedException(nameof(Generator));

        public void Dispose()
        {
            if (pointer != IntPtr.Zero)
            {
                ts_generator_free(pointer);
                pointer = IntPtr.Zero;
            }

            GC.SuppressFinalize(this);
        }

        ~Generator() => Dispose();
    }
}
