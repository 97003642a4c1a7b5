using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.VREMD;

/// <summary>
/// BMD's deformable cross attention (Eqs. 3–4): each motion token's query looks at K points of the
/// motion map per head, placed at its own grid cell plus offsets predicted from the query and the
/// enhanced feature together (a 3×3 conv on their concatenation, then a linear layer; the offsets
/// start as Deformable DETR's, a ring of directions per head); keys and values are sampled bilinearly
/// there (zeros outside the map), weighted by the softmax over the K points of q·k / √d.
/// </summary>
public sealed class DeformableCrossAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear query;
    private readonly Linear context;
    private readonly Conv2d psi;
    private readonly Linear offsets;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Linear output;
    private readonly int heads;
    private readonly int points;
    private readonly int grid;

    public DeformableCrossAttention(string name, int width, int heads, int points, int grid)
        : base(name)
    {
        (this.heads, this.points, this.grid) = (heads, points, grid);
        query = nn.Linear(width, width);
        context = nn.Linear(width, width);
        psi = nn.Conv2d(2 * width, width, 3, padding: 1);
        offsets = nn.Linear(width, heads * points * 2);
        key = nn.Linear(width, width, hasBias: false);
        value = nn.Linear(width, width, hasBias: false);
        output = nn.Linear(width, width);
        using (no_grad())
        {
            offsets.weight!.zero_();
            var angles = arange(heads, ScalarType.Float32) * (2 * Math.PI / heads);
            var directions = stack([angles.cos(), angles.sin()], -1); // [H, 2]
            directions = directions / directions.abs().max(-1, keepdim: true).values;
            var rings = directions.unsqueeze(1) * arange(1, points + 1, ScalarType.Float32).view(1, points, 1); // [H, K, 2]
            offsets.bias!.copy_(rings.flatten());
        }

        RegisterComponents();
    }

    /// <summary>Motion tokens x [B, N, D] and the enhanced feature F [B, N, D] (N = grid²) → [B, N, D].</summary>
    public override Tensor forward(Tensor x, Tensor enhanced)
    {
        using var scope = NewDisposeScope();
        var (b, n, d) = (x.size(0), x.size(1), x.size(2));
        var q = query.call(x);
        var z = context.call(enhanced);
        Tensor Grid(Tensor tokens) => tokens.transpose(1, 2).reshape(b, -1, grid, grid);
        var u = nn.functional.gelu(psi.call(Grid(cat([q, z], -1)))).flatten(2).transpose(1, 2); // [B, N, D]
        var delta = offsets.call(u).view(b, n, heads, points, 2);
        var reference = ReferencePoints(grid, x.device).view(1, n, 1, 1, 2);
        var locations = (reference + delta).permute(0, 2, 1, 3, 4).reshape(b * heads, n, points, 2); // [B·H, N, K, 2] (x, y) in cells
        var perHead = d / heads;
        Tensor Maps(Tensor t) => t.view(b, grid, grid, heads, perHead).permute(0, 3, 4, 1, 2).reshape(b * heads, perHead, grid, grid);
        var queries = q.view(b, n, heads, perHead).transpose(1, 2).reshape(b * heads, n, perHead);
        var attended = Sample(queries, Maps(key.call(x)), Maps(value.call(x)), locations); // [B·H, N, d]
        return output.call(attended.view(b, heads, n, perHead).transpose(1, 2).reshape(b, n, d)).MoveToOuterDisposeScope();
    }

    /// <summary>Each token's own cell as (x, y) = (n mod grid, ⌊n / grid⌋), [grid², 2]: token n is row-major cell n.</summary>
    public static Tensor ReferencePoints(int grid, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var cells = arange(grid * grid, ScalarType.Int64, device);
        return stack([cells.remainder(grid), cells.div(grid, RoundingMode.floor)], -1).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The attention itself: queries [S, N, d], key and value maps [S, d, g, g], sampling points
    /// [S, N, K, 2] as (x, y) in grid cells (cell centres at integers) → Σ_k softmax_k(q·k_k / √d) v_k, [S, N, d].
    /// </summary>
    public static Tensor Sample(Tensor queries, Tensor keys, Tensor values, Tensor locations)
    {
        using var scope = NewDisposeScope();
        var g = keys.size(-1);
        var normalised = ((2 * locations) + 1) / g - 1; // align_corners = false
        var sampledKeys = nn.functional.grid_sample(keys, normalised, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false); // [S, d, N, K]
        var sampledValues = nn.functional.grid_sample(values, normalised, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        var logits = einsum("snc,scnk->snk", queries, sampledKeys) / Math.Sqrt(queries.size(-1));
        var weights = logits.softmax(-1);
        var (s, n, k, d) = (queries.size(0), queries.size(1), locations.size(2), queries.size(2));
        FlopCounter.Add((2 * 8 * s * d * n * k) + (4 * s * n * k * d));
        return einsum("snk,scnk->snc", weights, sampledValues).MoveToOuterDisposeScope();
    }
}
