using System.CommandLine;
using System.Runtime.InteropServices;
using Pipeline.Cli.Commands;
using Pipeline.Torch;

// The allocator is chosen when the process starts: started without jemalloc, restart with it.
MallocTuning.RestartWithAllocatorIfNeeded();

var root = new RootCommand("Pose pre-labelling pipeline: decodes videos, tracks people and writes pose keypoints to Parquet.")
{
    SelfCheckCommand.Create(),
    BenchCommand.Create(),
    PoseCommand.Create(),
    TrainCommand.Create(),
    DevCommand.Create(),
    PrelabelCommand.Create(),
    EnqueueCommand.Create(),
    WorkerCommand.Create(),
    RenderCommand.Create(),
    ExportCommand.Create(),
    ReportCommand.Create(),
    EvalCommand.Create(),
};

// Ctrl+C (SIGINT) and SIGTERM (how Kubernetes stops a pod) cancel the command's token instead of
// killing the process, so a run can stop cleanly: committed videos stay, leases are handed back.
// A second signal terminates at once.
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    if (!stop.IsCancellationRequested)
    {
        context.Cancel = true;
        stop.Cancel();
    }
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // Unknown options and unparsable values: refused before any work, with retrying pointless (exit 2).
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"{parsed.CommandResult.Command.Name}: {error.Message}");
    }

    Console.Error.WriteLine($"Run '{parsed.CommandResult.Command.Name} --help' for usage.");
    return RunFlags.UsageExitCode;
}

// The torch runtime is loaded and its thread count set before any command that
// uses it runs its first op; a host it cannot load on gets one line saying what to run.
if (parsed.Action is not System.CommandLine.Help.HelpAction && parsed.CommandResult.Command is not RootCommand && !NeedsNoTorch.Contains(parsed.CommandResult.Command.Name))
{
    try
    {
        TorchRuntime.Initialize();
    }
    catch (TorchRuntimeException e)
    {
        Console.Error.WriteLine($"{parsed.CommandResult.Command.Name}: {e.Message}");
        return 1;
    }
}

return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);

internal static partial class Program
{
    /// <summary>Commands that never touch torch, so they run where its runtime cannot load.</summary>
    private static readonly HashSet<string> NeedsNoTorch = ["enqueue", "render", "export", "report", "eval", "coco", "posetrack"];
}
