namespace Pipeline.Stages.Detect;

/// <summary>Greedy NMS: keep the best-scoring box, drop those overlapping it by more than the threshold, repeat.</summary>
public static class NonMaximumSuppression
{
    public static List<Detection> Apply(IEnumerable<Detection> candidates, float iouThreshold, int maxDetections)
    {
        var kept = new List<Detection>();
        foreach (var candidate in candidates.OrderByDescending(d => d.Score))
        {
            if (kept.Count >= maxDetections)
            {
                break;
            }

            if (kept.All(k => k.Box.IoU(candidate.Box) <= iouThreshold))
            {
                kept.Add(candidate);
            }
        }

        return kept;
    }
}
