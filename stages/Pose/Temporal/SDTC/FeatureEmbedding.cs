using Pipeline.Stages.Pose.Temporal.Tokens;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>
/// Feature embedding extraction (Section 3.1): each frame's backbone map [C, 64, 64] cut into
/// patch × patch cells by a learned embedding (a conv of that kernel and stride) → L = (64 / patch)²
/// tokens of width D, plus a fixed 2-D sine-cosine spatial embedding (MAE's) and a learnable temporal
/// one: R = ⟨R_{t−δ} … R_{t+δ}⟩ [B, T, L, D].
/// </summary>
public sealed class FeatureEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d projection;
    private readonly Tensor spatial;
    private readonly Parameter temporal;

    public FeatureEmbedding(string name, int channels, int width, int patch, int grid, int frames)
        : base(name)
    {
        projection = nn.Conv2d(channels, width, patch, stride: patch);
        spatial = SineCosine(grid, width);
        temporal = nn.Parameter(randn(frames, 1, width) * 0.02f);
        RegisterComponents();
    }

    /// <summary>
    /// The 2-D sine-cosine embedding [grid², width]: half the channels encode the row, half the column,
    /// each as sin(p·ω_k) ⊕ cos(p·ω_k) with ω_k = 1 / 10000^(k / (width/4)), k = 0 … width/4 − 1.
    /// </summary>
    public static Tensor SineCosine(int grid, int width)
    {
        var quarter = width / 4;
        var values = new float[grid * grid * width];
        for (var row = 0; row < grid; row++)
        {
            for (var column = 0; column < grid; column++)
            {
                var offset = ((row * grid) + column) * width;
                for (var k = 0; k < quarter; k++)
                {
                    var omega = 1 / Math.Pow(10000, (double)k / quarter);
                    values[offset + k] = (float)Math.Sin(row * omega);
                    values[offset + quarter + k] = (float)Math.Cos(row * omega);
                    values[offset + (2 * quarter) + k] = (float)Math.Sin(column * omega);
                    values[offset + (3 * quarter) + k] = (float)Math.Cos(column * omega);
                }
            }
        }

        return tensor(values, [grid * grid, width]);
    }

    /// <summary>Features [B, T, C, h, w] → tokens without positions [B, T, L, D] (the context reconstruction's input side).</summary>
    public Tensor Embed(Tensor features) => Patches.Embed(projection, features);

    /// <summary>Embedded tokens [B, T, L, D] → with the spatial and temporal positions added.</summary>
    public override Tensor forward(Tensor embedded) => embedded + spatial.to(embedded.device) + temporal;
}
