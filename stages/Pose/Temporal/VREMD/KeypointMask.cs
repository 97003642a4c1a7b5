using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// HKME's keypoint mask (Eq. 2): J learnable keypoint tokens per frame join that frame's tokens, and
/// all frames' tokens, 3(N + J), pass through transformer blocks together; the mask of each token is
/// Σ_j softmax_tokens(T̂_k,j · F̂ᵀ) over all 3J keypoint tokens (the softmax runs over the 3N image
/// tokens: over the keypoint axis its sum would be 1 everywhere), and F_f = Mask_k ⊙ F̂.
/// </summary>
public sealed class KeypointMask : nn.Module<Tensor, (Tensor Masked, Tensor KeypointTokens)>
{
    private readonly Parameter keypointTokens;
    private readonly ModuleList<TransformerBlock> blocks;

    public KeypointMask(string name, int width, int heads, int frames, int joints, int depth)
        : base(name)
    {
        keypointTokens = nn.Parameter(randn(frames, joints, width) * 0.02f);
        blocks = TransformerStack.Create("block", depth, width, heads);
        RegisterComponents();
    }

    /// <summary>F_c [B, T, N, D] → F_f [B, T, N, D] and the keypoint tokens T̂_k [B, T, J, D].</summary>
    public override (Tensor Masked, Tensor KeypointTokens) forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (b, t, n, d) = (tokens.size(0), tokens.size(1), tokens.size(2), tokens.size(3));
        var j = keypointTokens.size(1);
        var x = cat([keypointTokens.unsqueeze(0).expand(b, -1, -1, -1), tokens], 2).view(b, t * (j + n), d);
        x = blocks.Through(x);

        var perFrame = x.view(b, t, j + n, d);
        var keypoints = perFrame.narrow(2, 0, j);
        var image = perFrame.narrow(2, j, n);
        var mask = Mask(image.reshape(b, t * n, d), keypoints.reshape(b, t * j, d)); // [B, T·N, 1]
        FlopCounter.Add(2 * b * t * j * t * n * d);
        return ((image * mask.view(b, t, n, 1)).MoveToOuterDisposeScope(), keypoints.MoveToOuterDisposeScope());
    }

    /// <summary>Eq. 2's mask: image tokens F̂ [B, M, D], keypoint tokens T̂ [B, K, D] → Σ_k softmax over the M tokens of T̂_k · F̂ᵀ, [B, M, 1].</summary>
    public static Tensor Mask(Tensor image, Tensor keypoints)
    {
        using var scope = NewDisposeScope();
        var map = keypoints.matmul(image.transpose(1, 2)); // [B, K, M]
        return map.softmax(-1).sum(1).unsqueeze(-1).MoveToOuterDisposeScope();
    }
}
