using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>A head's last layer set to zero (weight and bias), so that the residual it adds starts as nothing.</summary>
public static class ZeroStart
{
    public static T Layer<T>(T layer)
        where T : nn.Module
    {
        using (no_grad())
        {
            foreach (var p in layer.parameters())
            {
                p.zero_();
            }
        }

        return layer;
    }
}
