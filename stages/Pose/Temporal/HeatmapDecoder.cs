using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// Decodes stride-4 heatmaps to keypoints. Each joint's arg-max pixel is refined to sub-pixel
/// precision by a second-order Taylor step on the log-heatmap (DARK, Zhang et al. 2020: for a Gaussian
/// peak the step lands on its centre): offset = −H⁻¹∇ from central differences, used where the
/// Hessian is negative definite and the step stays within a pixel; elsewhere (flat or border peaks)
/// the family's quarter-pixel shift towards the larger neighbour (HRNet's get_final_preds). The
/// peak's value is the joint's score. A temporal head refines heatmaps only — MoveNet's own decoding
/// also needs centre, regression and offset heads a head does not produce — so every temporal row
/// uses this decoder; its ceiling (the target heatmaps decoded) is a row of <c>bench temporal</c>.
/// </summary>
public static class HeatmapDecoder
{
    /// <summary>Heatmaps [N, J, h, w] → keypoints [N, J, 3] as (x, y, score), x and y normalised to the crop (pixel centres at (i + 0.5) / size).</summary>
    public static Tensor Decode(Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        var (n, j, h, w) = (heatmaps.size(0), heatmaps.size(1), heatmaps.size(2), heatmaps.size(3));
        var maps = heatmaps.detach().to(float32);
        var (score, index) = maps.reshape(n, j, h * w).max(2);
        var px = (index % w).to(float32);
        var py = index.div(w, rounding_mode: RoundingMode.floor).to(float32);

        // Values around the peak, from the zero-padded map (its border is masked out below).
        var padded = nn.functional.pad(maps, [1, 1, 1, 1]).reshape(n, j, (h + 2) * (w + 2));
        Tensor At(int dy, int dx) => padded.gather(2, ((py + 1 + dy) * (w + 2) + px + 1 + dx).to(int64).unsqueeze(2)).squeeze(2);
        var inside = (px.gt(0) & px.lt(w - 1) & py.gt(0) & py.lt(h - 1)).to(float32);
        var quarterX = (At(0, 1) - At(0, -1)).sign() * 0.25 * inside;
        var quarterY = (At(1, 0) - At(-1, 0)).sign() * 0.25 * inside;

        Tensor L(int dy, int dx) => At(dy, dx).clamp_min(1e-10).log();
        var centre = L(0, 0);
        var gx = 0.5 * (L(0, 1) - L(0, -1));
        var gy = 0.5 * (L(1, 0) - L(-1, 0));
        var hxx = L(0, 1) - (2 * centre) + L(0, -1);
        var hyy = L(1, 0) - (2 * centre) + L(-1, 0);
        var hxy = 0.25 * (L(1, 1) - L(-1, 1) - L(1, -1) + L(-1, -1));
        var det = (hxx * hyy) - (hxy * hxy);
        var safe = det.abs().clamp_min(1e-12) * det.sign().where(det.ne(0), ones_like(det));
        var stepX = -((hyy * gx) - (hxy * gy)) / safe;
        var stepY = -((hxx * gy) - (hxy * gx)) / safe;
        var taylor = inside.gt(0) & det.gt(1e-6) & hxx.lt(0) & stepX.abs().le(1) & stepY.abs().le(1);
        var dx = stepX.where(taylor, quarterX);
        var dy = stepY.where(taylor, quarterY);
        var x = (px + dx + 0.5) / w;
        var y = (py + dy + 0.5) / h;
        return stack([x, y, score], 2).MoveToOuterDisposeScope();
    }
}
