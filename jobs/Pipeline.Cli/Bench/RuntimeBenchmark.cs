using System.Globalization;
using Pipeline.Torch.Native;
using static Pipeline.Torch.torch;

namespace Pipeline.Cli.Bench;

/// <summary>
/// `bench runtime`: the C# binding against native C++ loops (libtorchshim_bench.so) doing the same
/// libtorch work in the same process, measured in alternating rounds.
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

        output.WriteLine($"libtorch {libtorch_version()}, {get_num_threads()} threads, {rounds} interleaved rounds (medians)");
        using var _ = inference_mode();
        PerOpOverhead(rounds, output);
        Conv2d(rounds, output);
        Matmul(rounds, output);
        var overhead = MobileNet(rounds, output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"goal: binding overhead on MobileNetV2 < 10 %: {(overhead < 0.10 ? "met" : "NOT met")} ({overhead * 100:F1} %)"));
        return 0;
    }

    private static void PerOpOverhead(int rounds, TextWriter output)
    {
        const int iters = 100_000;
        using var a = rand(16);
        using var b = rand(16);
        var (managed, native) = SideBySide.Seconds(
            rounds,
            () =>
            {
                for (var i = 0; i < iters; i++)
                {
                    using var c = a + b;
                }
            },
            () => NativeBench.tsb_add_loop(16, 1000, iters));
        var perOpManaged = managed / iters * 1e6;
        var perOpNative = native / iters * 1e6;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per-op (add, 16 floats): C# {perOpManaged:F2} µs, native {perOpNative:F2} µs, binding overhead {perOpManaged - perOpNative:F2} µs/op"));
    }

    private static void Conv2d(int rounds, TextWriter output)
    {
        const int n = 8, c = 64, hw = 56, outC = 64, k = 3, iters = 5;
        using var x = randn(n, c, hw, hw);
        using var w = randn(outC, c, k, k);
        using var bias = randn(outC);
        var (managed, native) = SideBySide.Seconds(
            rounds,
            () =>
            {
                for (var i = 0; i < iters; i++)
                {
                    using var y = nn.functional.conv2d(x, w, bias, padding: (1, 1));
                }
            },
            () => NativeBench.tsb_conv2d_loop(n, c, hw, outC, k, 1, iters));
        double flops = 2.0 * n * outC * c * k * k * hw * hw * iters;
        Report(output, $"conv2d {n}x{c}x{hw}x{hw} -> {outC}, 3x3", flops, managed, native);
    }

    private static void Matmul(int rounds, TextWriter output)
    {
        const int size = 1024, iters = 5;
        using var a = randn(size, size);
        using var b = randn(size, size);
        var (managed, native) = SideBySide.Seconds(
            rounds,
            () =>
            {
                for (var i = 0; i < iters; i++)
                {
                    using var y = a.matmul(b);
                }
            },
            () => NativeBench.tsb_matmul_loop(size, size, size, 1, iters));
        Report(output, $"matmul {size}^3", 2.0 * size * size * size * iters, managed, native);
    }

    private static double MobileNet(int rounds, TextWriter output)
    {
        const int batch = 1, size = 224, iters = 30;
        using var model = new MobileNetV2();
        model.eval();
        using var x = randn(batch, 3, size, size);
        for (var i = 0; i < 5; i++)
        {
            using var warm = model.forward(x);
        }

        var (managed, native) = SideBySide.Seconds(
            rounds,
            () =>
            {
                for (var i = 0; i < iters; i++)
                {
                    using var y = model.forward(x);
                }
            },
            () => NativeBench.tsb_mobilenet_v2(batch, size, 5, iters));
        var overhead = (managed - native) / native;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MobileNetV2 forward, batch {batch}, {size}x{size}: C# {managed / iters * 1e3:F2} ms, native {native / iters * 1e3:F2} ms, overhead {overhead * 100:F1} %"));
        return overhead;
    }

    private static void Report(TextWriter output, string name, double flops, double managed, double native) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: C# {flops / managed / 1e9:F1} GFLOP/s, native {flops / native / 1e9:F1} GFLOP/s, ratio {native / managed:F3}"));
}
