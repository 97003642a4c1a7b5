using System.CommandLine;
using Pipeline.Cli.Bench;

namespace Pipeline.Cli.Commands;

/// <summary>`bench &lt;suite&gt;`: prints measured numbers, ratios taken side by side in one run.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var rounds = new Option<int>("--rounds")
        {
            Description = "Interleaved measurement rounds per case (the median is reported).",
            DefaultValueFactory = _ => 7,
        };
        var runtime = new Command("runtime", "Per-op overhead, conv2d and matmul GFLOP/s, and a MobileNetV2 forward pass: the C# binding against a native C++ loop doing the same work.")
        {
            rounds,
        };
        runtime.SetAction(result => RuntimeBenchmark.Run(result.GetValue(rounds), Console.Out));

        return new Command("bench", "Benchmarks that print numbers.") { runtime };
    }
}
