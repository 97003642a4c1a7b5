using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.FaSRnet;

/// <summary>
/// FaSRnet's fusion with spatial attention (§3.1.2; <c>TSA_Fusion</c> in the official code): each
/// aligned auxiliary feature is weighted by its per-pixel similarity to the key feature, then all are
/// fused with the key feature:
/// <code>
/// σ(f_θ1(F_{t+i})ᵀ · f_θ2(F_t)) = S(F_{t+i}, F_t)   [N, 1, h, w], broadcast over channels   (8)
/// F_{t+i} ⊙ S → CNN → F'_{t+i}                                                           (9)
/// F'_{t+1} ⊕ F_t ⊕ F'_{t−1} → CNN → F_t^final                                            (10)
/// </code>
/// </summary>
public sealed class AttentionFusion : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Conv2d embed_auxiliary;
    private readonly Conv2d embed_key;
    private readonly Conv2d weighted_previous;
    private readonly Conv2d weighted_next;
    private readonly Conv2d fuse;

    public AttentionFusion(string name, long channels, long embedWidth)
        : base(name)
    {
        embed_auxiliary = nn.Conv2d(channels, embedWidth, 3, padding: 1);
        embed_key = nn.Conv2d(channels, embedWidth, 3, padding: 1);
        weighted_previous = nn.Conv2d(channels, channels, 1);
        weighted_next = nn.Conv2d(channels, channels, 1);
        fuse = nn.Conv2d(3 * channels, channels, 1); // 1×1 as in EDVR's TSA fusion, which the official code follows
        RegisterComponents();
    }

    /// <summary>F_t, F^a_{t−1}, F^a_{t+1} [N, C, h, w] → F_t^final [N, C, h, w].</summary>
    public override Tensor forward(Tensor key, Tensor previous, Tensor next)
    {
        using var scope = NewDisposeScope();
        var keyEmbedding = embed_key.call(key);
        Tensor Similarity(Tensor auxiliary) => (embed_auxiliary.call(auxiliary) * keyEmbedding).sum(1, keepdim: true).sigmoid(); // (8)
        var p = weighted_previous.call(previous * Similarity(previous));                                                     // (9)
        var n = weighted_next.call(next * Similarity(next));
        return nn.functional.leaky_relu(fuse.call(cat([n, key, p], 1)), 0.1).MoveToOuterDisposeScope();                      // (10)
    }
}
