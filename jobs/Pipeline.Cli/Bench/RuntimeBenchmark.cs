using System.Globalization;
using Pipeline.Torch;
using static TorchSharp.torch;

namespace Pipeline.Cli.Bench;

/// <summary>
/// `bench runtime`: what a call into libtorch costs from C# (per-op overhead on a tiny tensor) and
/// what its kernels deliver here (conv2d and matmul GFLOP/s, a MobileNetV2 forward), as medians
/// of interleaved rounds.
/// </summary>
internal static class RuntimeBenchmark
{
    public static int Run(int rounds, TextWriter output)
    {
        if (rounds < 1)
        {
            output.WriteLine("--rounds must be at least 1");
            return 2;
        }

        output.WriteLine($"libtorch {TorchRuntime.LibTorchVersion} (TorchSharp {TorchRuntime.TorchSharpVersion}), {get_num_threads()} threads, medians of {rounds} rounds");
        using var _ = inference_mode();
        PerOpOverhead(rounds, output);
        Conv2d(rounds, output);
        Matmul(rounds, output);
        MobileNet(rounds, output);
        return 0;
    }

    private static void PerOpOverhead(int rounds, TextWriter output)
    {
        const int iters = 100_000;
        using var a = rand(16);
        using var b = rand(16);
        var seconds = Timing.MedianSeconds(rounds, () =>
        {
            for (var i = 0; i < iters; i++)
            {
                using var c = a + b;
            }
        }, warmup: 1);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"per-op (add, 16 floats, result disposed): {seconds / iters * 1e6:F2} µs"));
    }

    private static void Conv2d(int rounds, TextWriter output)
    {
        const int n = 8, c = 64, hw = 56, outC = 64, k = 3, iters = 5;
        using var x = randn(n, c, hw, hw);
        using var w = randn(outC, c, k, k);
        using var bias = randn(outC);
        var seconds = Timing.MedianSeconds(rounds, () =>
        {
            for (var i = 0; i < iters; i++)
            {
                using var y = nn.functional.conv2d(x, w, bias, padding: [1, 1]);
            }
        }, warmup: 1);
        double flops = 2.0 * n * outC * c * k * k * hw * hw * iters;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"conv2d {n}x{c}x{hw}x{hw} -> {outC}, 3x3: {flops / seconds / 1e9:F1} GFLOP/s"));
    }

    private static void Matmul(int rounds, TextWriter output)
    {
        const int size = 1024, iters = 5;
        using var a = randn(size, size);
        using var b = randn(size, size);
        var seconds = Timing.MedianSeconds(rounds, () =>
        {
            for (var i = 0; i < iters; i++)
            {
                using var y = a.matmul(b);
            }
        }, warmup: 1);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"matmul {size}^3: {2.0 * size * size * size * iters / seconds / 1e9:F1} GFLOP/s"));
    }

    private static void MobileNet(int rounds, TextWriter output)
    {
        const int batch = 1, size = 224, iters = 30;
        using var model = new MobileNetV2();
        model.eval();
        using var x = randn(batch, 3, size, size);
        var seconds = Timing.MedianSeconds(rounds, () =>
        {
            for (var i = 0; i < iters; i++)
            {
                using var y = model.forward(x);
            }
        }, warmup: 1);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MobileNetV2 forward, batch {batch}, {size}x{size}: {seconds / iters * 1e3:F2} ms"));
    }
}
