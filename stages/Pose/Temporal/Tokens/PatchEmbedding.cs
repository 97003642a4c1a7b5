using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Tokens;

/// <summary>
/// Tokens from the frozen backbone (the paper's ViT-L patch tokens): each frame's stride-4 map
/// [C, 64, 64] cut into patch × patch cells by a learned embedding (a conv of that kernel and stride)
/// → N = (64 / patch)² tokens of width D, plus a learned spatial embedding [N, D] and a learned
/// temporal one [T, D].
/// </summary>
public sealed class PatchEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d projection;
    private readonly Parameter spatial;
    private readonly Parameter? temporal;

    public PatchEmbedding(string name, int channels, int width, int patch, int grid, int frames)
        : base(name)
    {
        projection = nn.Conv2d(channels, width, patch, stride: patch);
        spatial = nn.Parameter(randn(grid * grid, width) * 0.02f);
        temporal = frames > 0 ? nn.Parameter(randn(frames, 1, width) * 0.02f) : null;
        RegisterComponents();
    }

    /// <summary>Features [B, T, C, h, w] → the embedding alone, without positions, [B, T, N, D] (the motion branch's input).</summary>
    public Tensor Embed(Tensor features) => Patches.Embed(projection, features);

    /// <summary>Embedded tokens [B, T, N, D] → with spatial and (where there is one) temporal positions added.</summary>
    public override Tensor forward(Tensor embedded) => temporal is null ? embedded + spatial : embedded + spatial + temporal;
}
