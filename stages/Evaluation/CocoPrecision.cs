namespace Pipeline.Stages.Evaluation;

/// <summary>
/// Precision at COCO's 101 recall thresholds, as pycocotools' COCOeval.accumulate computes it:
/// detections in score order (a stable sort, numpy's mergesort), cumulative true and false
/// positives (ignored detections count as neither), precision tp / (tp + fp + ε) made monotone from
/// the end, sampled at the first detection whose recall reaches each threshold (searchsorted, left);
/// thresholds it never reaches give 0. Both the paired bench metric and the COCO evaluation use it.
/// </summary>
public static class CocoPrecision
{
    /// <summary>numpy.linspace(0, 1, 101): i × 0.01, the last exactly 1.</summary>
    public static readonly double[] RecallThresholds = [.. Enumerable.Range(0, 101).Select(i => i == 100 ? 1.0 : i * (1.0 / 100))];

    /// <summary>np.spacing(1), COCOeval's ε.</summary>
    public const double Epsilon = 2.220446049250313e-16;

    /// <param name="hits">Per detection in score order: true (a match), false (a false positive) or null (ignored).</param>
    /// <param name="positives">Ground-truth instances that count (not ignored).</param>
    /// <returns>The 101 sampled precisions and the final recall (0 without detections).</returns>
    public static (double[] Precision, double Recall) Sampled(IReadOnlyList<bool?> hits, int positives)
    {
        var n = hits.Count;
        var precision = new double[n];
        var recall = new double[n];
        double tp = 0, fp = 0;
        for (var i = 0; i < n; i++)
        {
            tp += hits[i] == true ? 1 : 0;
            fp += hits[i] == false ? 1 : 0;
            recall[i] = tp / positives;
            precision[i] = tp / (fp + tp + Epsilon);
        }

        for (var i = n - 1; i > 0; i--)
        {
            precision[i - 1] = Math.Max(precision[i - 1], precision[i]);
        }

        var sampled = new double[RecallThresholds.Length];
        var at = 0;
        for (var r = 0; r < RecallThresholds.Length; r++)
        {
            while (at < n && recall[at] < RecallThresholds[r])
            {
                at++;
            }

            sampled[r] = at < n ? precision[at] : 0;
        }

        return (sampled, n > 0 ? recall[n - 1] : 0);
    }

    /// <summary>Indices of <paramref name="scores"/> from the highest, ties in their original order (numpy argsort(−s, kind="mergesort")).</summary>
    public static int[] ByScore(IReadOnlyList<double> scores) =>
        [.. Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i])];
}
