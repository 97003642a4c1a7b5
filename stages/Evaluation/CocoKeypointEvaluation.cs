namespace Pipeline.Stages.Evaluation;

/// <summary>A ground-truth person of a COCO keypoints file.</summary>
/// <param name="Keypoints">x, y, v triples (v &gt; 0: labelled).</param>
/// <param name="Box">bbox [x, y, w, h].</param>
public sealed record CocoGroundTruth(long Id, long ImageId, double[] Keypoints, double[] Box, double Area, bool IsCrowd, int NumKeypoints);

/// <summary>A predicted person (a COCO results entry): keypoints x, y, v triples, the person's score, and its area (null: its keypoints' extent).</summary>
/// <param name="Area">pycocotools' loadRes gives every result its bbox's w × h when the first result has a bbox, else its keypoints' extent.</param>
public sealed record CocoDetection(long ImageId, double[] Keypoints, double Score, double? Area = null);

/// <summary>COCO keypoint AP and AR: the ten summary numbers in pycocotools' order.</summary>
public sealed record CocoKeypointSummary(double Ap, double Ap50, double Ap75, double ApMedium, double ApLarge, double Ar, double Ar50, double Ar75, double ArMedium, double ArLarge)
{
    public static readonly string[] Labels =
    [
        "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ]",
        "Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets= 20 ]",
        "Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets= 20 ]",
        "Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets= 20 ]",
        "Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets= 20 ]",
        "Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ]",
        "Average Recall     (AR) @[ IoU=0.50      | area=   all | maxDets= 20 ]",
        "Average Recall     (AR) @[ IoU=0.75      | area=   all | maxDets= 20 ]",
        "Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets= 20 ]",
        "Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets= 20 ]",
    ];

    public double[] Values => [Ap, Ap50, Ap75, ApMedium, ApLarge, Ar, Ar50, Ar75, ArMedium, ArLarge];
}

/// <summary>
/// COCO keypoint evaluation as pycocotools' COCOeval (iouType "keypoints") computes it, step by step:
/// <list type="bullet">
/// <item>ground truth is ignored when crowd or without labelled keypoints (num_keypoints = 0);</item>
/// <item>per image, detections sorted by score (stable) and cut at 20; OKS against every ground truth
/// (<see cref="Oks"/>: visible joints only, or — for a ground truth without any — the distance outside
/// its box doubled on each side);</item>
/// <item>per OKS threshold 0.50:0.05:0.95 and area range (all, medium 32²–96², large &gt; 96²): each detection
/// in score order takes the unmatched ground truth of highest OKS above the threshold, preferring
/// ground truth that is not ignored (sorted first); a detection matched to an ignored one, or unmatched
/// with its area (its keypoints' extent) outside the range, is ignored;</item>
/// <item>detections of all images pooled in score order → <see cref="CocoPrecision"/>; AP = the mean over
/// thresholds and recall points of the sampled precisions, AR the mean final recall; area ranges
/// without ground truth are left out of the means (−1 when nothing is left).</item>
/// </list>
/// </summary>
public static class CocoKeypointEvaluation
{
    public const int MaxDetections = 20;

    private static readonly (double Low, double High)[] AreaRanges = [(0, 1e10), (32 * 32, 96 * 96), (96 * 96, 1e10)];

    /// <summary>numpy.linspace(0.5, 0.95, 10), bit for bit: the OKS thresholds COCOeval matches at.</summary>
    public static readonly double[] Thresholds = [.. Enumerable.Range(0, 10).Select(i => i == 9 ? 0.95 : (i * ((0.95 - 0.5) / 9)) + 0.5)];

    private static readonly double[] Variances = [.. KeypointAgreement.Sigmas.Select(s => (2 * s) * (2 * s))];

    /// <param name="imageIds">Every image of the ground truth (images without people count too).</param>
    public static CocoKeypointSummary Evaluate(IReadOnlyCollection<long> imageIds, IReadOnlyList<CocoGroundTruth> groundTruth, IReadOnlyList<CocoDetection> detections)
    {
        var images = imageIds.Order().ToList();
        var gtByImage = groundTruth.ToLookup(g => g.ImageId);
        var dtByImage = detections.ToLookup(d => d.ImageId);
        var thresholds = Thresholds;
        var precision = new double[thresholds.Length, AreaRanges.Length][];
        var recall = new double[thresholds.Length, AreaRanges.Length];
        for (var a = 0; a < AreaRanges.Length; a++)
        {
            var pooled = new List<(double Score, bool?[] Hits)>();
            var positives = 0;
            foreach (var image in images)
            {
                var (scores, hits, counted) = EvaluateImage([.. gtByImage[image]], [.. dtByImage[image]], AreaRanges[a]);
                positives += counted;
                pooled.AddRange(scores.Select((s, i) => (s, Enumerable.Range(0, thresholds.Length).Select(t => hits[t][i]).ToArray())));
            }

            var order = CocoPrecision.ByScore([.. pooled.Select(p => p.Score)]);
            for (var t = 0; t < thresholds.Length; t++)
            {
                if (positives == 0)
                {
                    precision[t, a] = [-1];
                    recall[t, a] = -1;
                    continue;
                }

                (precision[t, a], recall[t, a]) = CocoPrecision.Sampled([.. order.Select(i => pooled[i].Hits[t])], positives);
            }
        }

        double Ap(int a, int? t = null) => Mean(Enumerable.Range(0, thresholds.Length).Where(i => t is null || i == t).SelectMany(i => precision[i, a]));
        double Ar(int a, int? t = null) => Mean(Enumerable.Range(0, thresholds.Length).Where(i => t is null || i == t).Select(i => recall[i, a]));
        int fifty = 0, seventyFive = 5;
        return new CocoKeypointSummary(Ap(0), Ap(0, fifty), Ap(0, seventyFive), Ap(1), Ap(2), Ar(0), Ar(0, fifty), Ar(0, seventyFive), Ar(1), Ar(2));
    }

    /// <summary>COCOeval.computeOks for one detection and one ground truth.</summary>
    public static double Oks(CocoGroundTruth gt, double[] detection)
    {
        var g = gt.Keypoints;
        var labelled = Enumerable.Range(0, g.Length / 3).Count(k => g[(3 * k) + 2] > 0);
        var (x0, x1) = (gt.Box[0] - gt.Box[2], gt.Box[0] + (gt.Box[2] * 2));
        var (y0, y1) = (gt.Box[1] - gt.Box[3], gt.Box[1] + (gt.Box[3] * 2));
        double sum = 0;
        var count = 0;
        for (var k = 0; k < Variances.Length; k++)
        {
            double dx, dy;
            var (xd, yd) = (detection[3 * k], detection[(3 * k) + 1]);
            if (labelled > 0)
            {
                if (g[(3 * k) + 2] <= 0)
                {
                    continue;
                }

                (dx, dy) = (xd - g[3 * k], yd - g[(3 * k) + 1]);
            }
            else
            {
                dx = Math.Max(0, x0 - xd) + Math.Max(0, xd - x1);
                dy = Math.Max(0, y0 - yd) + Math.Max(0, yd - y1);
            }

            sum += Math.Exp(-(((dx * dx) + (dy * dy)) / Variances[k] / (gt.Area + CocoPrecision.Epsilon) / 2));
            count++;
        }

        return sum / count;
    }

    /// <summary>The area COCO's loadRes gives a keypoint detection: its keypoints' extent.</summary>
    public static double DetectionArea(double[] keypoints)
    {
        var xs = Enumerable.Range(0, keypoints.Length / 3).Select(k => keypoints[3 * k]).ToList();
        var ys = Enumerable.Range(0, keypoints.Length / 3).Select(k => keypoints[(3 * k) + 1]).ToList();
        return (xs.Max() - xs.Min()) * (ys.Max() - ys.Min());
    }

    /// <summary>COCOeval.evaluateImg: per threshold, each kept detection's outcome (true, false, or null when ignored), and the ground truth that counts.</summary>
    private static (double[] Scores, bool?[][] Hits, int Positives) EvaluateImage(List<CocoGroundTruth> gts, List<CocoDetection> dts, (double Low, double High) range)
    {
        var thresholds = Thresholds;
        var ignoredGt = gts.Select(g => g.IsCrowd || g.NumKeypoints == 0 || g.Area < range.Low || g.Area > range.High).ToArray();
        // Ignored ground truth last (stable), detections by score (stable), at most 20.
        var gtOrder = Enumerable.Range(0, gts.Count).OrderBy(i => ignoredGt[i] ? 1 : 0).ToArray();
        var dtOrder = CocoPrecision.ByScore([.. dts.Select(d => d.Score)]).Take(MaxDetections).ToArray();
        var oks = new double[dtOrder.Length, gtOrder.Length];
        for (var d = 0; d < dtOrder.Length; d++)
        {
            for (var g = 0; g < gtOrder.Length; g++)
            {
                oks[d, g] = Oks(gts[gtOrder[g]], dts[dtOrder[d]].Keypoints);
            }
        }

        var hits = new bool?[thresholds.Length][];
        for (var t = 0; t < thresholds.Length; t++)
        {
            var gtMatched = new bool[gtOrder.Length];
            hits[t] = new bool?[dtOrder.Length];
            for (var d = 0; d < dtOrder.Length; d++)
            {
                var best = Math.Min(thresholds[t], 1 - 1e-10);
                var m = -1;
                for (var g = 0; g < gtOrder.Length; g++)
                {
                    var crowd = gts[gtOrder[g]].IsCrowd;
                    if (gtMatched[g] && !crowd)
                    {
                        continue;
                    }

                    if (m > -1 && !ignoredGt[gtOrder[m]] && ignoredGt[gtOrder[g]])
                    {
                        break;
                    }

                    if (oks[d, g] < best)
                    {
                        continue;
                    }

                    best = oks[d, g];
                    m = g;
                }

                if (m >= 0)
                {
                    gtMatched[m] = true;
                    hits[t][d] = ignoredGt[gtOrder[m]] ? null : true;
                }
                else
                {
                    var area = dts[dtOrder[d]].Area ?? DetectionArea(dts[dtOrder[d]].Keypoints);
                    hits[t][d] = area < range.Low || area > range.High ? null : false;
                }
            }
        }

        return ([.. dtOrder.Select(d => dts[d].Score)], hits, ignoredGt.Count(i => !i));
    }

    private static double Mean(IEnumerable<double> values)
    {
        var kept = values.Where(v => v > -1).ToList();
        return kept.Count == 0 ? -1 : kept.Average();
    }
}
