using System.CommandLine;
using System.Runtime.InteropServices;
using Pipeline.Cli.Commands;

var root = new RootCommand("Pose pre-labelling pipeline: decodes videos, tracks people and writes pose keypoints to Parquet.")
{
    SelfCheckCommand.Create(),
    BenchCommand.Create(),
    PoseCommand.Create(),
    DevCommand.Create(),
    PrelabelCommand.Create(),
    EnqueueCommand.Create(),
    WorkerCommand.Create(),
    RenderCommand.Create(),
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
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);
