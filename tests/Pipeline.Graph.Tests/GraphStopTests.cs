using Pipeline.Graph.Inputs;
using Pipeline.Graph.Run;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using static TorchSharp.torch;

namespace Pipeline.Graph.Tests;

/// <summary>
/// A cancelled graph completes only once no stage is running: callers dispose the models right
/// after, and a pose worker still inside a disposed model corrupts the native heap (a worker
/// stopped with SIGTERM aborted with "corrupted double-linked list" before this was so).
/// </summary>
public sealed class GraphStopTests : IDisposable
{
    private readonly Clips clips = new();
    private readonly string output = Directory.CreateTempSubdirectory("graph-stop-").FullName;

    public void Dispose()
    {
        clips.Dispose();
        Directory.Delete(output, recursive: true);
    }

    /// <summary>A pose model that holds its first batch until released, so a test can act while a worker is inside it.</summary>
    private sealed class GatedPoseModel : IPoseModel
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public string Name => "gated";

        public string WeightsHash => "none";

        public int InputSize => 64;

        public int Radius => 0;

        public Device Device => CPU;

        public Tensor Predict(Tensor windows)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromMinutes(2));
            return zeros([windows.size(0), 17, 3]);
        }

        public void Dispose()
        {
            Entered.Dispose();
            Release.Dispose();
        }
    }

    [Fact]
    public async Task CancellingWaitsForThePoseWorkerInsideTheModel()
    {
        var clip = clips.Cut("walk.mp4", 10, 1);
        var options = new PrelabelOptions { Output = output };
        using var detector = new NanoDetDetector(ModelStore.Default.GraphModel("nanodet"));
        using var model = new GatedPoseModel();
        using var cancel = new CancellationTokenSource();
        var graph = PrelabelEngine.BuildGraph(detector, [model], options, "test", output, null, output, _ => Task.CompletedTask, cancel.Token);
        Assert.True(await graph.SendAsync(InputResolver.ForFile(clip)));
        graph.Complete();
        Assert.True(await Task.Run(() => model.Entered.Wait(TimeSpan.FromMinutes(2))), "no batch reached the pose model");

        await cancel.CancelAsync();
        // Every other stage stops at once; the graph must still be running while the worker is.
        var early = await Task.WhenAny(graph.Completion, Task.Delay(TimeSpan.FromSeconds(2)));
        Assert.NotSame(graph.Completion, early);

        model.Release.Set();
        var ended = await Task.WhenAny(graph.Completion, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(graph.Completion, ended);
        Assert.True(graph.Completion.IsCanceled, $"graph ended {graph.Completion.Status}");
    }
}
