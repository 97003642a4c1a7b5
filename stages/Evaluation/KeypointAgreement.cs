using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Evaluation;

/// <summary>One person in one frame: the reference (a teacher's or a human's keypoints) and a prediction for it.</summary>
/// <param name="Box">The reference person's box: its width × height is the OKS area, its longer side PCK's scale.</param>
/// <param name="Visible">Which reference joints count (e.g. teacher joints with score ≥ 0.3, or annotated joints).</param>
public sealed record PairedPose(BoundingBox Box, Keypoint[] Reference, bool[] Visible, Keypoint[] Prediction)
{
    /// <summary>The prediction's person score: its mean keypoint score.</summary>
    public double Score => Prediction.Average(k => (double)k.Score);

    public bool HasVisibleJoints => Visible.Any(v => v);
}

/// <summary>
/// COCO keypoint similarity and the metrics built on it, as COCO's evaluation defines them, for
/// predictions already paired with their reference person (one prediction per person, as in a
/// top-down model run on tracked boxes):
/// <list type="bullet">
/// <item>OKS = Σᵢ exp(−dᵢ² / (2·s²·κᵢ²)) over visible joints / their count, s² = the box's area, κᵢ = 2σᵢ (COCO's sigmas);</item>
/// <item>AP at a threshold: predictions sorted by person score (mean keypoint score); a prediction whose OKS
/// reaches the threshold is a true positive, else a false positive; precision made monotone and sampled at
/// COCO's 101 recall points; AP = mean over thresholds 0.50:0.05:0.95; persons without a visible joint are left out;</item>
/// <item>PCK@α: the share of visible joints within α × the box's longer side.</item>
/// </list>
/// The bench and the evaluation job use these; the paired bootstrap compares two predictors on the same persons.
/// </summary>
public static class KeypointAgreement
{
    /// <summary>COCO's per-keypoint sigmas, in COCO order.</summary>
    /// <remarks>Computed as pycocotools does (tenths divided by 10), so they match its values bit for bit (0.26 / 10 ≠ 0.026).</remarks>
    public static readonly double[] Sigmas = [.. new[] { .26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89 }.Select(s => s / 10.0)];

    /// <summary>0.50, 0.55, …, 0.95.</summary>
    public static readonly double[] Thresholds = [.. Enumerable.Range(0, 10).Select(i => 0.5 + (0.05 * i))];

    public static double Oks(PairedPose pose)
    {
        var area = (double)pose.Box.Width * pose.Box.Height;
        double sum = 0;
        var count = 0;
        for (var i = 0; i < CocoKeypoints.Count; i++)
        {
            if (!pose.Visible[i])
            {
                continue;
            }

            var dx = pose.Prediction[i].X - pose.Reference[i].X;
            var dy = pose.Prediction[i].Y - pose.Reference[i].Y;
            var kappa = 2 * Sigmas[i];
            // COCO: e = d² / (κ²) / (area + eps) / 2.
            sum += Math.Exp(-((dx * dx) + (dy * dy)) / (kappa * kappa) / (area + double.Epsilon) / 2);
            count++;
        }

        return count == 0 ? 0 : sum / count;
    }

    /// <summary>AP at one OKS threshold, COCO's 101-point interpolation.</summary>
    public static double AveragePrecision(IReadOnlyList<PairedPose> poses, double threshold) =>
        AveragePrecision([.. poses.Where(p => p.HasVisibleJoints).Select(p => (p.Score, Oks(p)))], threshold);

    /// <summary>COCO AP: the mean over <see cref="Thresholds"/>.</summary>
    public static double AveragePrecision(IReadOnlyList<PairedPose> poses)
    {
        var scored = poses.Where(p => p.HasVisibleJoints).Select(p => (p.Score, Oks(p))).ToList();
        return Thresholds.Average(t => AveragePrecision(scored, t));
    }

    private static double AveragePrecision(IReadOnlyList<(double Score, double Oks)> scored, double threshold)
    {
        if (scored.Count == 0)
        {
            return 0;
        }

        // Every person is one ground-truth instance with exactly one prediction.
        var order = CocoPrecision.ByScore([.. scored.Select(s => s.Score)]);
        var (precision, _) = CocoPrecision.Sampled([.. order.Select(i => (bool?)(scored[i].Oks >= threshold))], scored.Count);
        return precision.Average();
    }

    /// <summary>PCK@<paramref name="alpha"/> of the box's longer side over all visible joints.</summary>
    public static double Pck(IReadOnlyList<PairedPose> poses, double alpha = 0.1)
    {
        long hits = 0, total = 0;
        foreach (var p in poses)
        {
            var limit = alpha * Math.Max(p.Box.Width, p.Box.Height);
            for (var i = 0; i < CocoKeypoints.Count; i++)
            {
                if (!p.Visible[i])
                {
                    continue;
                }

                total++;
                var dx = p.Prediction[i].X - p.Reference[i].X;
                var dy = p.Prediction[i].Y - p.Reference[i].Y;
                hits += Math.Sqrt((dx * dx) + (dy * dy)) <= limit ? 1 : 0;
            }
        }

        return total == 0 ? 0 : (double)hits / total;
    }

    /// <summary>
    /// A paired bootstrap 95 % interval of AP(<paramref name="a"/>) − AP(<paramref name="b"/>), two
    /// predictors' poses for the same persons in the same order: persons are resampled with
    /// replacement, the same draw for both (seeded, so runs repeat).
    /// </summary>
    public static (double Difference, double Low, double High) PairedBootstrap(IReadOnlyList<PairedPose> a, IReadOnlyList<PairedPose> b, int resamples = 1000, int seed = 1)
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"paired predictions need the same persons: {a.Count} vs {b.Count}");
        }

        var random = new Random(seed);
        var differences = new double[resamples];
        var sampleA = new PairedPose[a.Count];
        var sampleB = new PairedPose[b.Count];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < a.Count; i++)
            {
                var j = random.Next(a.Count);
                sampleA[i] = a[j];
                sampleB[i] = b[j];
            }

            differences[r] = AveragePrecision(sampleA) - AveragePrecision(sampleB);
        }

        Array.Sort(differences);
        double Percentile(double q) => differences[(int)Math.Clamp(Math.Round(q * (resamples - 1)), 0, resamples - 1)];
        return (AveragePrecision(a) - AveragePrecision(b), Percentile(0.025), Percentile(0.975));
    }
}
