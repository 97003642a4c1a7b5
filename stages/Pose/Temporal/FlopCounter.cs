using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// Counts a head's floating-point operations in one forward pass: 2 × multiply-adds of every Conv2d
/// and Linear layer (from its weight and output size), of every <see cref="ModulatedDeformConv"/>
/// (which adds its own, sampling included), and of attention products, which the transformer modules
/// add themselves. Element-wise ops, norms, pooling and resampling are left out, as FLOP counts
/// usually do; they are small here.
/// </summary>
public static class FlopCounter
{
    [ThreadStatic]
    private static long? running;

    /// <summary>Adds to the count when one is being taken on this thread.</summary>
    public static void Add(long flops)
    {
        if (running is not null)
        {
            running += flops;
        }
    }

    /// <summary>FLOPs of one inference pass (eval mode) of a head on one window of <paramref name="size"/>² maps (the counts depend on shapes only).</summary>
    public static long PerWindow(TemporalHead head, int size = 64)
    {
        using var scope = NewDisposeScope();
        var device = head.parameters().First().device;
        var features = rand([1, head.Window, head.FeatureChannels, size, size], device: device);
        var heatmaps = rand([1, head.Window, head.Joints, size, size], device: device);
        var training = head.training;
        head.eval();
        try
        {
            return Count(head, () => head.call(features, heatmaps).Dispose());
        }
        finally
        {
            head.train(training);
        }
    }

    /// <summary>FLOPs of <paramref name="run"/> (a forward pass of <paramref name="module"/> on one window).</summary>
    public static long Count(nn.Module module, Action run)
    {
        var hooks = module.modules().OfType<Conv2d>()
            .Select(c => c.register_forward_hook((_, _, output) =>
            {
                Add(2 * c.weight!.numel() * output.size(0) * output.size(2) * output.size(3));
                return output;
            }))
            .Concat(module.modules().OfType<Linear>().Select(l => l.register_forward_hook((_, _, output) =>
            {
                Add(2 * l.weight!.numel() * (output.numel() / output.size(-1)));
                return output;
            })))
            .ToList();
        running = 0;
        try
        {
            using var _ = no_grad();
            run();
            return running.Value;
        }
        finally
        {
            running = null;
            hooks.ForEach(h => h.remove());
        }
    }
}
