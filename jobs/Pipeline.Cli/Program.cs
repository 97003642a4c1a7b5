using System.CommandLine;
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
return await root.Parse(args).InvokeAsync();
