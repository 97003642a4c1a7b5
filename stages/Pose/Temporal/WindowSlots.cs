namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// Which of a track's frames fills each slot of a window: slot t + d is frame t + d when the track has
/// it, else the track's frame nearest to t + d within t − δ … t + δ (of two at the same distance, the
/// one nearer the key frame) — the family's clamping at clip edges, applied at a track's ends and
/// gaps. The key frame is always there, so every slot is filled, and the window needs nothing beyond
/// t + δ: a key frame is ready once frame t + δ has been seen. Training, the bench and the graph use this one rule.
/// </summary>
public static class WindowSlots
{
    /// <summary>The frame for slot <paramref name="offset"/> of the window keyed on <paramref name="key"/>, given which frames the track has.</summary>
    public static long Frame(Func<long, bool> trackHas, long key, int offset, int radius)
    {
        var target = key + offset;
        var towardsKey = -Math.Sign(offset);
        for (var distance = 0; distance <= 2 * radius; distance++)
        {
            foreach (var frame in new[] { target + (towardsKey * distance), target - (towardsKey * distance) })
            {
                if (frame >= key - radius && frame <= key + radius && trackHas(frame))
                {
                    return frame;
                }
            }
        }

        return key;
    }
}
