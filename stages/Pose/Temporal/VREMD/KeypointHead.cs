using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// H_k: the key frame's keypoint tokens to heatmaps through an MLP, one token per joint, as TokenPose's
/// head does (LN → D → hidden → LN → every heatmap pixel). Its last layer starts at zero.
/// </summary>
public sealed class KeypointHead : nn.Module<Tensor, Tensor>
{
    private readonly Sequential mlp;
    private readonly int size;

    public KeypointHead(string name, int width, int hidden, int size)
        : base(name)
    {
        this.size = size;
        var last = nn.Linear(hidden, size * size);
        using (no_grad())
        {
            last.weight!.zero_();
            last.bias!.zero_();
        }

        mlp = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, hidden), nn.LayerNorm(hidden), last);
        RegisterComponents();
    }

    /// <summary>Keypoint tokens [B, J, D] → heatmaps [B, J, size, size].</summary>
    public override Tensor forward(Tensor tokens) => mlp.call(tokens).view(tokens.size(0), tokens.size(1), size, size);
}
