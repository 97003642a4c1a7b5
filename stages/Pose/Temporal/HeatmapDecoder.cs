using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// The family's decoding of stride-4 heatmaps (HRNet's get_final_preds without flip): each joint's
/// arg-max pixel, shifted a quarter pixel towards the larger of its two neighbours on each axis, and
/// the peak's value as the joint's score. A temporal head refines heatmaps only; MoveNet's own decoding
/// also needs the centre, regression and offset heads, which a head does not produce for its
/// refined output, so this decoder is used for every temporal row (its ceiling — the target heatmaps
/// decoded — is a row of <c>bench temporal</c>).
/// </summary>
public static class HeatmapDecoder
{
    /// <summary>Heatmaps [N, J, h, w] → keypoints [N, J, 3] as (x, y, score), x and y normalised to the crop (pixel centres at (i + 0.5) / size).</summary>
    public static Tensor Decode(Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        var (n, j, h, w) = (heatmaps.size(0), heatmaps.size(1), heatmaps.size(2), heatmaps.size(3));
        var flat = heatmaps.detach().to(float32).reshape(n, j, h * w);
        var (score, index) = flat.max(2);
        var px = (index % w).to(float32);
        var py = index.div(w, rounding_mode: RoundingMode.floor).to(float32);
        var padded = nn.functional.pad(heatmaps.detach().to(float32), [1, 1, 1, 1]).reshape(n, j, (h + 2) * (w + 2));
        Tensor At(Tensor y, Tensor x) => padded.gather(2, ((y + 1) * (w + 2) + x + 1).to(int64).unsqueeze(2)).squeeze(2);

        // Borders: the family shifts only when both neighbours exist; the zero padding gives the same sign there except at the very edge, which is masked.
        var inside = px.gt(0) & px.lt(w - 1);
        var dx = (At(py, px + 1) - At(py, px - 1)).sign() * 0.25 * inside.to(float32);
        var insideY = py.gt(0) & py.lt(h - 1);
        var dy = (At(py + 1, px) - At(py - 1, px)).sign() * 0.25 * insideY.to(float32);
        var x = (px + dx + 0.5) / w;
        var y = (py + dy + 0.5) / h;
        return stack([x, y, score], 2).MoveToOuterDisposeScope();
    }
}
