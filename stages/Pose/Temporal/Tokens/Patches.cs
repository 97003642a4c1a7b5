using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Tokens;

/// <summary>
/// Maps to patch vectors and back, in the token order of a patch embedding (a conv of kernel and
/// stride <c>patch</c>, flattened row-major): token n = (row n / grid, column n % grid), each vector
/// channel-major over its patch × patch pixels.
/// </summary>
public static class Patches
{
    /// <summary>Features [B, T, C, h, w] through a patch-embedding conv → tokens [B, T, N, D], row-major over the grid.</summary>
    public static Tensor Embed(TorchSharp.Modules.Conv2d projection, Tensor features)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (features.size(0), features.size(1));
        var cells = projection.call(features.flatten(0, 1)); // [B·T, D, g, g]
        return cells.flatten(2).transpose(1, 2).reshape(b, t, -1, cells.size(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Maps [S, C, g·p, g·p] → patch vectors [S, g², C·p·p].</summary>
    public static Tensor FromMaps(Tensor maps, int patch)
    {
        var (s, c, size) = (maps.size(0), maps.size(1), maps.size(2));
        var grid = size / patch;
        return maps.view(s, c, grid, patch, grid, patch).permute(0, 2, 4, 1, 3, 5).reshape(s, grid * grid, c * patch * patch);
    }

    /// <summary>Patch vectors [S, g², C·p·p] → maps [S, C, g·p, g·p]; the inverse of <see cref="FromMaps"/>.</summary>
    public static Tensor ToMaps(Tensor vectors, int channels, int patch)
    {
        var s = vectors.size(0);
        var grid = (long)Math.Round(Math.Sqrt(vectors.size(1)));
        return vectors.view(s, grid, grid, channels, patch, patch).permute(0, 3, 1, 4, 2, 5).reshape(s, channels, grid * patch, grid * patch);
    }
}
