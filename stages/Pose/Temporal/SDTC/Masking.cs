using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>
/// MLSME's masks, drawn at training time only from the trainer's step-seeded stream (so a resumed run
/// masks the same): random tube masking (Eq. 1) hides the same token positions in every frame of a
/// window; random frame masking (Eq. 4) hides whole frames. A mask is 1 where a token is kept.
/// </summary>
public static class Masking
{
    /// <summary>Tube masks [B, 1, L, 1]: per window, round(ratio · L) positions hidden in every frame.</summary>
    public static Tensor Tube(Random draw, int batch, int tokens, double ratio, Device? device = null)
    {
        var keep = new float[batch * tokens];
        var hidden = (int)Math.Round(ratio * tokens);
        for (var b = 0; b < batch; b++)
        {
            var order = Enumerable.Range(0, tokens).OrderBy(_ => draw.Next()).ToArray();
            for (var i = hidden; i < tokens; i++)
            {
                keep[(b * tokens) + order[i]] = 1;
            }
        }

        return tensor(keep, [batch, 1, tokens, 1], device: device);
    }

    /// <summary>Frame masks [B, T, 1, 1]: per window, <paramref name="hidden"/> random frames hidden.</summary>
    public static Tensor Frames(Random draw, int batch, int frames, int hidden, Device? device = null)
    {
        var keep = new float[batch * frames];
        for (var b = 0; b < batch; b++)
        {
            var order = Enumerable.Range(0, frames).OrderBy(_ => draw.Next()).ToArray();
            for (var i = hidden; i < frames; i++)
            {
                keep[(b * frames) + order[i]] = 1;
            }
        }

        return tensor(keep, [batch, frames, 1, 1], device: device);
    }

    /// <summary>M·R + (1 − M)·L (Eqs. 1 and 4): kept tokens as they are, hidden ones replaced by the learnable token [D].</summary>
    public static Tensor Apply(Tensor tokens, Tensor keep, Tensor maskToken) => (tokens * keep) + ((1 - keep) * maskToken);
}
