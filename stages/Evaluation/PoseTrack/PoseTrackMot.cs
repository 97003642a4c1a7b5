namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>Per-joint MOTA, MOTP, precision and recall (percent; index 15 the mean over joints where defined), and poseval's MOT table row.</summary>
public sealed record PoseTrackMotResult(double[] Mota, double[] Motp, double[] Precision, double[] Recall)
{
    public const string Header = "& MOTA & MOTA & MOTA & MOTA & MOTA & MOTA & MOTA & MOTA & MOTP & Prec & Rec  \\\\\n"
        + "& Head & Shou & Elb  & Wri  & Hip  & Knee & Ankl & Total& Total& Total& Total\\\\";

    /// <summary>poseval's printed values: MOTA grouped as the AP table, then Total MOTA, MOTP, precision and recall.</summary>
    public double[] Row() => [.. PoseTrackApResult.Grouped(Mota), Motp[15], Precision[15], Recall[15]];
}

/// <summary>
/// PoseTrack multi-person pose tracking metrics as poseval's evaluateTracking (4258a15, motmetrics 1.4.0)
/// computes them. Every joint is tracked on its own: in each scored frame (as for AP: frames with
/// ground-truth people, ignore regions applied) the ground-truth people labelled with that joint are
/// the objects, the predictions that have it the hypotheses, and a pair is possible where the joint
/// is a PCKh@0.5 hit (its distance is the normalised one); a frame without ground truth people or
/// without predictions counts one object and one hypothesis that cannot pair (poseval's placeholder).
/// Each sequence has its own accumulators, fed every scored frame but the last (poseval drops it),
/// and the counts and distance sums add up over sequences in order. MOTA = 1 − (misses + switches +
/// false positives) ÷ objects, MOTP = 1 − Σ distance ÷ detections (0 without detections), precision =
/// detections ÷ (detections + false positives), recall = detections ÷ objects.
/// </summary>
public static class PoseTrackMot
{
    /// <exception cref="InvalidDataException">
    /// As <see cref="PoseTrackAp.Evaluate"/>, and a person without a track id (tracking needs one on every
    /// ground-truth and predicted person).
    /// </exception>
    public static PoseTrackMotResult Evaluate(IReadOnlyList<(PoseTrackSequence Truth, PoseTrackSequence Prediction)> sequences)
    {
        const int joints = PoseTrackJointIds.Count;
        var matches = new double[joints];
        var switches = new double[joints];
        var misses = new double[joints];
        var falsePositives = new double[joints];
        var distanceSums = new double[joints];
        foreach (var (frames, name) in PoseTrackAp.Prepare(sequences).Zip(sequences.Select(s => s.Truth.Name)))
        {
            var accumulators = Enumerable.Range(0, joints).Select(_ => new MotAccumulator()).ToArray();
            foreach (var frame in frames.SkipLast(1))
            {
                for (var j = 0; j < joints; j++)
                {
                    var (objects, hypotheses, distance) = Correspondences(frame, j, name);
                    accumulators[j].Update(objects, hypotheses, distance);
                }
            }

            for (var j = 0; j < joints; j++)
            {
                matches[j] += accumulators[j].Matches;
                switches[j] += accumulators[j].Switches;
                misses[j] += accumulators[j].Misses;
                falsePositives[j] += accumulators[j].FalsePositives;
                distanceSums[j] += accumulators[j].DistanceSum;
            }
        }

        var (mota, motp, precision, recall) = (new double[joints + 1], new double[joints + 1], new double[joints + 1], new double[joints + 1]);
        for (var j = 0; j < joints; j++)
        {
            var objects = matches[j] + switches[j] + misses[j];
            var numberOfObjects = objects > 0 ? objects : double.NaN;
            var detections = matches[j] + switches[j];
            mota[j] = 100 * (1.0 - ((misses[j] + switches[j] + falsePositives[j]) / numberOfObjects));
            motp[j] = detections == 0 ? 0.0 : 100 * (1.0 - (distanceSums[j] / detections));
            precision[j] = 100 * (detections / (falsePositives[j] + detections > 0 ? falsePositives[j] + detections : double.NaN));
            recall[j] = 100 * (detections / numberOfObjects);
        }

        foreach (var values in new[] { mota, motp, precision, recall })
        {
            values[joints] = NumpyOrder.Mean([.. values.Take(joints).Where(v => !double.IsNaN(v))]);
        }

        return new PoseTrackMotResult(mota, motp, precision, recall);
    }

    /// <summary>One joint of one frame: the ground-truth and predicted track ids that have it, and their distances where it is a hit (NaN elsewhere).</summary>
    private static (int[] Objects, int[] Hypotheses, double[,] Distance) Correspondences(PoseTrackFrameMatch frame, int joint, string sequence)
    {
        if (frame.Truth.Count == 0 || frame.Predicted.Count == 0)
        {
            return ([0], [0], new[,] { { double.NaN } });
        }

        var truth = Enumerable.Range(0, frame.Truth.Count).Where(b => frame.Truth[b].Point(joint) is not null).ToArray();
        var predicted = Enumerable.Range(0, frame.Predicted.Count).Where(a => frame.Predicted[a].Point(joint) is not null).ToArray();
        var distance = new double[truth.Length, predicted.Length];
        for (var g = 0; g < truth.Length; g++)
        {
            for (var p = 0; p < predicted.Length; p++)
            {
                distance[g, p] = frame.Hit(predicted[p], truth[g], joint) ? frame.Distance(predicted[p], truth[g], joint) : double.NaN;
            }
        }

        int TrackId(PoseTrackPerson person, string role) =>
            person.TrackId ?? throw new InvalidDataException($"sequence {sequence}: a {role} person without a track id, which tracking metrics need");
        return ([.. truth.Select(b => TrackId(frame.Truth[b], "ground-truth"))], [.. predicted.Select(a => TrackId(frame.Predicted[a], "predicted"))], distance);
    }
}
