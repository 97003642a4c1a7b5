using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Continuity;

/// <summary>The continuity model's training-only losses: L_c (Eq. 2), L_s (Eq. 3) and L_t (Eqs. 5–7).</summary>
public static class ContinuityLosses
{
    // ‖a − b‖₂ with a finite gradient where a = b (key copies make every Z of a window equal).
    private static Tensor Distance(Tensor a, Tensor b) => ((a - b).square().sum([-1]) + 1e-12).sqrt();

    /// <summary>
    /// L_c over embeddings Z [B, T, M] of the frames t−δ … t+δ: for every interval d = 1 … δ, the
    /// distant pair (t−d, t+d) is to be farther apart than each adjacent pair (t−d, t) and (t, t+d)
    /// by the margin α — max(0, ‖Z_{t−d} − Z_t‖ − ‖Z_{t−d} − Z_{t+d}‖ + α) + max(0, ‖Z_t − Z_{t+d}‖ − ‖Z_{t−d} − Z_{t+d}‖ + α),
    /// averaged over the (window, d) pairs whose slots t−d and t+d hold those frames themselves
    /// (<paramref name="ownFrame"/> [B, T], 1 or 0; at a track's ends and gaps a slot repeats the nearest
    /// frame, and copies of one frame cannot be α apart). Eq. 2 as printed subtracts the adjacent
    /// distance from the distant one (and drops Z_t from its second term), which would pull distant
    /// frames together; this follows the sentence under it ("neighboring frames closer while keeping
    /// distant frames apart").
    /// </summary>
    public static Tensor Contrastive(Tensor z, double margin, Tensor? ownFrame = null)
    {
        using var scope = NewDisposeScope();
        var radius = (int)(z.size(1) - 1) / 2;
        var key = z.select(1, radius);
        var total = zeros([z.size(0)], z.dtype, z.device);
        var count = zeros([z.size(0)], z.dtype, z.device);
        for (var d = 1; d <= radius; d++)
        {
            var (before, after) = (z.select(1, radius - d), z.select(1, radius + d));
            var distant = Distance(before, after);
            var valid = ownFrame is null ? ones_like(distant) : ownFrame.select(1, radius - d) * ownFrame.select(1, radius + d);
            total = total + (valid * (nn.functional.relu(Distance(before, key) - distant + margin) + nn.functional.relu(Distance(key, after) - distant + margin)));
            count = count + valid;
        }

        return (total.sum() / count.sum().clamp_min(1)).MoveToOuterDisposeScope();
    }

    /// <summary>L_s = ‖Z − Z′‖₂ between embeddings [S, M] of frames and of their rotated and scaled versions, averaged.</summary>
    public static Tensor SpatialConsistency(Tensor z, Tensor transformed)
    {
        using var scope = NewDisposeScope();
        return Distance(z, transformed).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// L_t, trajectory probability difference integration, over per-frame heatmaps [B, T, J, h, w] and
    /// the frames' appearance [B, T, C, h, w] at the heatmaps' resolution. For consecutive frames and each
    /// joint, E (Eq. 6) = Σ_p Σ_q PD(p, q)·P_t(p)·P_{t+1}(q), with PD (Eq. 5) the sum of absolute
    /// differences over the 5×5 neighbourhoods of p and q (every channel; zero outside the map) and P a
    /// heatmap as a probability (negative values cut, divided by its sum). As the paper says, only the
    /// positions of higher probability count: p and q run over each heatmap's <paramref name="candidates"/>
    /// highest pixels, P renormalised over them (with candidates = h·w this is Eq. 6 exactly). L_t (Eq. 7)
    /// sums E along the window's consecutive pairs (E ≥ 0, so |dE| dt integrates to the sum), averaged
    /// over joints and the batch. The appearance carries no gradient; the heatmaps do.
    /// </summary>
    public static Tensor TrajectoryDifference(Tensor heatmaps, Tensor appearance, int candidates = 9, int neighbourhood = 5)
    {
        using var scope = NewDisposeScope();
        var (b, t, j, h, w) = (heatmaps.size(0), heatmaps.size(1), heatmaps.size(2), heatmaps.size(3), heatmaps.size(4));
        var c = appearance.size(2);
        var k = (int)Math.Min(candidates, h * w);
        var r = neighbourhood / 2;

        var probability = heatmaps.clamp_min(0).flatten(3); // [B, T, J, h·w]
        var (top, positions) = probability.topk(k, dim: -1);
        var p = top / (top.sum([-1], keepdim: true) + 1e-12); // [B, T, J, K]

        Tensor described;
        using (no_grad())
        {
            // The neighbourhood of every candidate, read from the zero-padded appearance map.
            var padded = nn.functional.pad(appearance.detach().flatten(0, 1), [r, r, r, r]); // [B·T, C, h+2r, w+2r]
            var stride = w + (2 * r);
            var y = positions.div(w, rounding_mode: RoundingMode.floor);
            var x = positions.remainder(w);
            var offsets = arange(neighbourhood, ScalarType.Int64, heatmaps.device);
            var rows = (y.unsqueeze(-1) + offsets).unsqueeze(-1);                // [B, T, J, K, n, 1] in padded rows (offset −r … r shifted by r)
            var columns = (x.unsqueeze(-1) + offsets).unsqueeze(-2);             // [B, T, J, K, 1, n]
            var index = (rows * stride + columns).flatten(2).flatten(0, 1);     // [B·T, J·K·n²]
            var gathered = padded.flatten(2).gather(2, index.unsqueeze(1).expand(-1, c, -1)); // [B·T, C, J·K·n²]
            described = gathered.view(b, t, c, j, k, neighbourhood * neighbourhood).permute(0, 1, 3, 4, 2, 5).reshape(b, t, j, k, -1); // [B, T, J, K, C·n²]
        }

        var pd = cdist(described.narrow(1, 0, t - 1).flatten(0, 2), described.narrow(1, 1, t - 1).flatten(0, 2), 1.0); // [B·(T−1)·J, K, K]
        var first = p.narrow(1, 0, t - 1).flatten(0, 2).unsqueeze(-1);  // [·, K, 1]
        var second = p.narrow(1, 1, t - 1).flatten(0, 2).unsqueeze(-2); // [·, 1, K]
        var expectation = (pd * first * second).sum([1, 2]).view(b, t - 1, j);
        return expectation.sum([1]).mean().MoveToOuterDisposeScope();
    }
}
