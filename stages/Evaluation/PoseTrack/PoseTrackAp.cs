namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>Per-joint AP, precision and recall (percent; index 15 the mean over the 15 joints), and poseval's grouped columns.</summary>
public sealed record PoseTrackApResult(double[] Ap, double[] Precision, double[] Recall)
{
    public static readonly string[] Groups = ["Head", "Shou", "Elb", "Wri", "Hip", "Knee", "Ankl", "Total"];

    public static readonly string[] GroupNames = ["Head", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "Total"];

    /// <summary>poseval's getCum: Head = mean(head_top, head_bottom, nose), the others left and right, then Total.</summary>
    public static double[] Grouped(double[] values)
    {
        int[][] groups = [[14, 12, 13], [8, 9], [7, 10], [6, 11], [2, 3], [1, 4], [0, 5]];
        return [.. groups.Select(g => NumpyOrder.Mean([.. g.Select(j => values[j])])), values[15]];
    }
}

/// <summary>
/// PoseTrack multi-person pose AP as poseval (4258a15) computes it:
/// <list type="bullet">
/// <item>sequences paired by name, frames by position (different frame counts are an error);</item>
/// <item>frames whose ground truth has no people dropped with their predictions; people without an
/// annopoints list dropped; in frames with ignore regions, points strictly inside a region removed
/// (even-odd rule; on an edge stays), then people left without points;</item>
/// <item>per frame: distances to ground truth ÷ (0.6 × the head box diagonal); a joint within 0.5 is a hit;
/// each prediction keeps only the ground-truth person it hits the largest share of (first on ties),
/// each ground-truth person then takes the prediction with the largest share (none when 0); joints of the
/// assigned predictions become (score, hit), every other predicted joint (score, miss); a missing score is −9999;</item>
/// <item>per joint, pairs pooled over frames, ranked by numpy's argsort reversed, VOC all-point AP with
/// recall over the ground-truth joint count; Total the mean over joints with a defined AP.</item>
/// </list>
/// </summary>
public static class PoseTrackAp
{
    private const double MissingScore = -9999;

    /// <exception cref="InvalidDataException">A sequence whose frame counts differ, or duplicate track ids in a predicted frame.</exception>
    public static PoseTrackApResult Evaluate(IReadOnlyList<(PoseTrackSequence Truth, PoseTrackSequence Prediction)> sequences)
    {
        const int joints = PoseTrackJointIds.Count;
        var scores = Enumerable.Range(0, joints).Select(_ => new List<double>()).ToArray();
        var hits = Enumerable.Range(0, joints).Select(_ => new List<bool>()).ToArray();
        var labelled = new double[joints];
        foreach (var frame in Prepare(sequences).SelectMany(s => s))
        {
            AssignFrame(frame, scores, hits, labelled);
        }

        var ap = new double[joints + 1];
        var precision = new double[joints + 1];
        var recall = new double[joints + 1];
        for (var j = 0; j < joints; j++)
        {
            var order = NumpyOrder.ArgSort(scores[j]).Reverse().ToArray();
            if (order.Length == 0)
            {
                continue;
            }

            var rec = new double[order.Length];
            var prec = new double[order.Length];
            var positives = 0;
            for (var k = 0; k < order.Length; k++)
            {
                positives += hits[j][order[k]] ? 1 : 0;
                rec[k] = positives / labelled[j];
                prec[k] = (double)positives / (k + 1);
            }

            ap[j] = VocAp(rec, prec) * 100;
            precision[j] = prec[^1] * 100;
            recall[j] = rec[^1] * 100;
        }

        foreach (var values in new[] { ap, precision, recall })
        {
            values[joints] = NumpyOrder.Mean([.. values.Take(joints).Where(v => !double.IsNaN(v))]);
        }

        return new PoseTrackApResult(ap, precision, recall);
    }

    /// <summary>
    /// poseval's load_data_dir checks, cleanupData and removeIgnoredPoints: per sequence, the frames that
    /// are scored, each with its distances between ground truth and predictions.
    /// </summary>
    internal static List<List<PoseTrackFrameMatch>> Prepare(IReadOnlyList<(PoseTrackSequence Truth, PoseTrackSequence Prediction)> sequences)
    {
        var prepared = new List<List<PoseTrackFrameMatch>>();
        foreach (var (gt, pr) in sequences)
        {
            if (gt.Frames.Count != pr.Frames.Count)
            {
                throw new InvalidDataException($"# prediction frames {pr.Frames.Count} <> # GT frames {gt.Frames.Count} for {pr.Name}");
            }

            foreach (var frame in pr.Frames)
            {
                var ids = frame.People.Where(p => p.TrackId is not null).Select(p => p.TrackId!.Value).ToList();
                if (ids.Count != ids.Distinct().Count())
                {
                    throw new InvalidDataException($"Non-unique tracklet IDs found in frame {frame.ImageName} of prediction {pr.Name}");
                }
            }

            var frames = new List<PoseTrackFrameMatch>();
            for (var f = 0; f < gt.Frames.Count; f++)
            {
                if (gt.Frames[f].People.Count == 0)
                {
                    continue;
                }

                var regions = gt.Frames[f].IgnoreRegions;
                frames.Add(PoseTrackFrameMatch.Compute(Clean(gt.Frames[f], regions), Clean(pr.Frames[f], regions)));
            }

            prepared.Add(frames);
        }

        return prepared;
    }

    private static PoseTrackFrame Clean(PoseTrackFrame frame, IReadOnlyList<(double X, double Y)[]> regions)
    {
        var people = frame.People.Where(p => p.HasAnnopoints).ToList();
        if (regions.Count > 0)
        {
            people = [.. people
                .Select(p => p with { Points = [.. p.Points.Where(q => !regions.Any(r => StrictlyInside(q.X, q.Y, r)))] })
                .Where(p => p.Points.Count > 0)];
        }

        return frame with { People = people };
    }

    /// <summary>shapely's Polygon.contains for a simple ring: the even-odd rule, points on an edge or vertex outside.</summary>
    public static bool StrictlyInside(double px, double py, (double X, double Y)[] polygon)
    {
        var inside = false;
        for (var k = 0; k < polygon.Length; k++)
        {
            var (ax, ay) = polygon[k];
            var (bx, by) = polygon[(k + 1) % polygon.Length];
            var side = ((bx - ax) * (py - ay)) - ((by - ay) * (px - ax));
            if (side == 0 && Math.Min(ax, bx) <= px && px <= Math.Max(ax, bx) && Math.Min(ay, by) <= py && py <= Math.Max(ay, by))
            {
                return false;
            }

            if ((ay > py) != (by > py) && px < ax + ((py - ay) * (bx - ax) / (by - ay)))
            {
                inside = !inside;
            }
        }

        return inside;
    }

    /// <summary>poseval's assignGTmulti for one frame (the AP half).</summary>
    private static void AssignFrame(PoseTrackFrameMatch frame, List<double>[] scores, List<bool>[] hits, double[] labelled)
    {
        const int joints = PoseTrackJointIds.Count;
        var (gts, prs) = (frame.Truth, frame.Predicted);
        var (nG, nP) = (gts.Count, prs.Count);
        double Score(PoseTrackPoint p) => p.Score ?? MissingScore;
        void Pool(int a, Func<int, bool> hit)
        {
            for (var j = 0; j < joints; j++)
            {
                if (prs[a].Point(j) is { } p)
                {
                    scores[j].Add(Score(p));
                    hits[j].Add(hit(j));
                }
            }
        }

        if (nP > 0 && nG > 0)
        {
            var assigned = GreedyAssignment(frame);
            for (var a = 0; a < nP; a++)
            {
                var b = assigned[a];
                Pool(a, j => b >= 0 && frame.Hit(a, b, j));
            }
        }
        else if (nG == 0)
        {
            for (var a = 0; a < nP; a++)
            {
                Pool(a, _ => false);
            }
        }

        foreach (var g in gts)
        {
            for (var j = 0; j < joints; j++)
            {
                labelled[j] += g.Point(j) is null ? 0 : 1;
            }
        }
    }

    /// <summary>
    /// Each prediction keeps only its best ground-truth person (first on ties); each ground-truth person
    /// then takes the prediction with the largest share (none when it is 0; a prediction taken twice keeps the first).
    /// </summary>
    /// <returns>Per prediction, its ground-truth person or −1.</returns>
    private static int[] GreedyAssignment(PoseTrackFrameMatch frame)
    {
        var (nP, nG) = (frame.Predicted.Count, frame.Truth.Count);
        var share = new double[nP, nG];
        for (var a = 0; a < nP; a++)
        {
            var best = 0;
            for (var b = 0; b < nG; b++)
            {
                share[a, b] = frame.Share(a, b);
                best = share[a, b] > share[a, best] ? b : best;
            }

            for (var b = 0; b < nG; b++)
            {
                share[a, b] = b == best ? share[a, b] : 0;
            }
        }

        var assigned = new int[nP];
        Array.Fill(assigned, -1);
        for (var b = 0; b < nG; b++)
        {
            var best = 0;
            for (var a = 1; a < nP; a++)
            {
                best = share[a, b] > share[best, b] ? a : best;
            }

            if (share[best, b] != 0 && assigned[best] < 0)
            {
                assigned[best] = b;
            }
        }

        return assigned;
    }

    /// <summary>poseval's VOCap: precision made monotone, summed over the recall steps (numpy's sum).</summary>
    public static double VocAp(double[] recall, double[] precision)
    {
        var mpre = new double[precision.Length + 2];
        var mrec = new double[recall.Length + 2];
        precision.CopyTo(mpre, 1);
        recall.CopyTo(mrec, 1);
        mrec[^1] = 1.0;
        for (var i = mpre.Length - 2; i >= 0; i--)
        {
            // Python's max(a, b): b only when it is greater (a NaN second argument is not taken).
            mpre[i] = mpre[i + 1] > mpre[i] ? mpre[i + 1] : mpre[i];
        }

        var terms = new List<double>();
        for (var i = 1; i < mrec.Length; i++)
        {
            // ~np.equal: NaN differs from everything, itself included.
            if (!(mrec[i] == mrec[i - 1]))
            {
                terms.Add((mrec[i] - mrec[i - 1]) * mpre[i]);
            }
        }

        return NumpyOrder.Sum(terms);
    }
}
