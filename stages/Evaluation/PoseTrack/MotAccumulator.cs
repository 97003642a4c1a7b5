namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>
/// One joint's CLEAR-MOT bookkeeping over one sequence, as motmetrics 1.4.0's MOTAccumulator (the version
/// poseval pins) does it with max_switch_time = ∞: per frame, objects (ground truth) first keep the
/// hypothesis (prediction) they matched last time if that pair is still within reach, then the rest are
/// paired by a minimum-distance assignment (scipy's, on motmetrics' finite stand-in costs); a pair whose
/// object had another hypothesis before is a switch; unpaired objects are misses, unpaired hypotheses
/// false positives. The distance column of every event it logs (RAW rows, ASCEND, MIGRATE, TRANSFER
/// included) is kept in order, because poseval's MOTP sums that whole column with numpy.
/// </summary>
public sealed class MotAccumulator
{
    private readonly Dictionary<int, int> lastHypothesisOf = [];
    private readonly Dictionary<int, int> lastObjectOf = [];
    private readonly HashSet<int> matchedObjects = [];
    private readonly HashSet<int> seenHypotheses = [];
    private readonly List<double> distances = [];

    public int Matches { get; private set; }

    public int Switches { get; private set; }

    public int Misses { get; private set; }

    public int FalsePositives { get; private set; }

    /// <summary>motmetrics' num_objects: matches, switches and misses.</summary>
    public int Objects => Matches + Switches + Misses;

    /// <summary>motmetrics' num_detections: matches and switches.</summary>
    public int Detections => Matches + Switches;

    /// <summary>pandas' events['D'].sum(): NaN rows count as 0, numpy's pairwise order.</summary>
    public double DistanceSum => NumpyOrder.Sum([.. distances.Select(d => double.IsNaN(d) ? 0 : d)]);

    /// <summary>One frame: the objects' and hypotheses' ids and their distances (NaN: not a possible pair).</summary>
    public void Update(IReadOnlyList<int> objects, IReadOnlyList<int> hypotheses, double[,] distance)
    {
        var (no, nh) = (objects.Count, hypotheses.Count);
        if (distance.GetLength(0) != no || distance.GetLength(1) != nh)
        {
            throw new ArgumentException($"distances are {distance.GetLength(0)}×{distance.GetLength(1)}, not {no}×{nh}", nameof(distance));
        }

        LogRawEvents(distance);
        var objectDone = new bool[no];
        var hypothesisDone = new bool[nh];
        if (no * nh > 0)
        {
            // 1. Correspondences of the last update, where still possible.
            for (var i = 0; i < no; i++)
            {
                if (!lastHypothesisOf.TryGetValue(objects[i], out var previous))
                {
                    continue;
                }

                var j = Enumerable.Range(0, nh).FirstOrDefault(k => !hypothesisDone[k] && hypotheses[k] == previous, -1);
                if (j >= 0 && double.IsFinite(distance[i, j]))
                {
                    (objectDone[i], hypothesisDone[j]) = (true, true);
                    Log(distance[i, j]);
                    Matches++;
                    matchedObjects.Add(objects[i]);
                    seenHypotheses.Add(hypotheses[j]);
                }
            }

            // 2. The rest by a minimum-distance assignment.
            var open = new double[no, nh];
            for (var i = 0; i < no; i++)
            {
                for (var j = 0; j < nh; j++)
                {
                    open[i, j] = objectDone[i] || hypothesisDone[j] ? double.NaN : distance[i, j];
                }
            }

            var (rows, columns) = LinearSumAssignment.Solve(FiniteCosts(open));
            for (var k = 0; k < rows.Length; k++)
            {
                var (i, j) = (rows[k], columns[k]);
                if (!double.IsFinite(open[i, j]))
                {
                    continue;
                }

                var (o, h, d) = (objects[i], hypotheses[j], open[i, j]);
                var isSwitch = lastHypothesisOf.TryGetValue(o, out var before) && before != h;
                if (isSwitch && !seenHypotheses.Contains(h))
                {
                    Log(d); // ASCEND
                }

                if (lastObjectOf.TryGetValue(h, out var owner) && owner != o)
                {
                    if (!matchedObjects.Contains(o))
                    {
                        Log(d); // MIGRATE
                    }

                    Log(d); // TRANSFER
                }

                seenHypotheses.Add(h);
                matchedObjects.Add(o);
                Log(d);
                if (isSwitch)
                {
                    Switches++;
                }
                else
                {
                    Matches++;
                }

                (objectDone[i], hypothesisDone[j]) = (true, true);
                lastHypothesisOf[o] = h;
                lastObjectOf[h] = o;
            }
        }

        for (var i = 0; i < no; i++)
        {
            if (!objectDone[i])
            {
                Log(double.NaN);
                Misses++;
            }
        }

        for (var j = 0; j < nh; j++)
        {
            if (!hypothesisDone[j])
            {
                Log(double.NaN);
                FalsePositives++;
            }
        }
    }

    /// <summary>
    /// motmetrics' RAW rows: one empty row per frame, one per possible pair (row-major), one per object and
    /// per hypothesis without any.
    /// </summary>
    private void LogRawEvents(double[,] distance)
    {
        var (no, nh) = (distance.GetLength(0), distance.GetLength(1));
        Log(double.NaN);
        var objectPaired = new bool[no];
        var hypothesisPaired = new bool[nh];
        for (var i = 0; i < no; i++)
        {
            for (var j = 0; j < nh; j++)
            {
                if (double.IsFinite(distance[i, j]))
                {
                    Log(distance[i, j]);
                    (objectPaired[i], hypothesisPaired[j]) = (true, true);
                }
            }
        }

        for (var i = 0; i < no; i++)
        {
            if (!objectPaired[i])
            {
                Log(double.NaN);
            }
        }

        for (var j = 0; j < nh; j++)
        {
            if (!hypothesisPaired[j])
            {
                Log(double.NaN);
            }
        }
    }

    private void Log(double distance) => distances.Add(distance);

    /// <summary>motmetrics' add_expensive_edges: impossible pairs cost 2·min(rows, columns)·(max |finite| + 1) + 1.</summary>
    private static double[,] FiniteCosts(double[,] costs)
    {
        var finite = costs.Cast<double>().Where(double.IsFinite).ToList();
        var (no, nh) = (costs.GetLength(0), costs.GetLength(1));
        var large = finite.Count == 0 ? 0 : (2 * Math.Min(no, nh) * (finite.Max(Math.Abs) + 1)) + 1;
        var result = new double[no, nh];
        for (var i = 0; i < no; i++)
        {
            for (var j = 0; j < nh; j++)
            {
                result[i, j] = double.IsFinite(costs[i, j]) ? costs[i, j] : large;
            }
        }

        return result;
    }
}
