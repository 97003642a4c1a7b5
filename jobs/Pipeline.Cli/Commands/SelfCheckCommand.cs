using System.CommandLine;
using System.Runtime.InteropServices;
using Pipeline.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Cli.Commands;

/// <summary>`selfcheck`: loads the torch runtime, runs a small forward and backward pass, prints what it found.</summary>
internal static class SelfCheckCommand
{
    public static Command Create()
    {
        var command = new Command("selfcheck", "Check that the torch runtime loads and computes (libtorch version, threads, devices).");
        command.SetAction(_ => Run());
        return command;
    }

    private static int Run()
    {
        try
        {
            Console.WriteLine($"libtorch {TorchRuntime.LibTorchVersion} (TorchSharp {TorchRuntime.TorchSharpVersion}), {get_num_threads()} threads, devices: {string.Join(", ", TorchDevices.Available())}");
            Console.WriteLine($"allocator: {MallocTuning.Describe()}");
            using var scope = NewDisposeScope();
            var generator = new Generator(0);
            var x = randn([2, 3, 16, 16], generator: generator);
            var w = randn([4, 3, 3, 3], generator: generator, requires_grad: true);
            var loss = nn.functional.conv2d(x, w, padding: [1, 1]).square().mean();
            loss.backward();
            var gradNorm = w.grad!.norm().ToDouble();
            if (!double.IsFinite(gradNorm) || gradNorm <= 0)
            {
                Console.Error.WriteLine($"selfcheck failed: gradient norm {gradNorm}");
                return 1;
            }

            Console.WriteLine($"conv2d forward/backward OK (loss {loss.ToDouble():F4}, |grad| {gradNorm:F4})");
            return 0;
        }
        catch (ExternalException e)
        {
            Console.Error.WriteLine($"selfcheck failed: {e.Message}");
            return 1;
        }
    }
}
