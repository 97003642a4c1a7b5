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

        var video = new Option<FileInfo>("--video")
        {
            Description = "Video to take the frame from.",
            DefaultValueFactory = _ => new FileInfo("/usr/share/doc/opencv-doc/examples/data/vtest.avi"),
        };
        var frame = new Option<int>("--frame") { Description = "Frame index.", DefaultValueFactory = _ => 240 };
        var modelRounds = new Option<int>("--rounds") { Description = "Timed rounds per case (the median is reported).", DefaultValueFactory = _ => 5 };
        var models = new Command("models", "MoveNet Thunder and Lightning (batch 1 and 8) and NanoDet on a real frame, against the official TF.js WASM runtime on the same inputs.")
        {
            video, frame, modelRounds,
        };
        models.SetAction((result, ct) => ModelsBenchmark.RunAsync(result.GetValue(video)!, result.GetValue(frame), result.GetValue(modelRounds), Console.Out, ct));

        return new Command("bench", "Benchmarks that print numbers.") { runtime, models };
    }
}
