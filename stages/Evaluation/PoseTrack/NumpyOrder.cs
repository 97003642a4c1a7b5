namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>
/// The parts of numpy poseval's results depend on bit for bit: numpy's float64 sum (pairwise, in
/// blocks of 8 up to 128 elements, chunks of 8192), its mean, and np.argsort's default introsort
/// (median-of-3 quicksort, insertion sort below 17 elements, NaN last), which orders tied scores —
/// and so poseval's AP when scores tie. Ported from numpy 1.24 (npysort/quicksort.cpp, pairwise_sum).
/// </summary>
public static class NumpyOrder
{
    public static double Sum(IReadOnlyList<double> values)
    {
        double total = 0;
        for (var start = 0; start < values.Count; start += 8192)
        {
            total += PairwiseSum(values, start, Math.Min(8192, values.Count - start));
        }

        return total;
    }

    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : Sum(values) / values.Count;

    private static double PairwiseSum(IReadOnlyList<double> a, int start, int n)
    {
        if (n < 8)
        {
            var sum = 0.0;
            for (var i = 0; i < n; i++)
            {
                sum += a[start + i];
            }

            return sum;
        }

        if (n <= 128)
        {
            var r = new double[8];
            for (var k = 0; k < 8; k++)
            {
                r[k] = a[start + k];
            }

            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (var k = 0; k < 8; k++)
                {
                    r[k] += a[start + i + k];
                }
            }

            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += a[start + i];
            }

            return res;
        }

        var half = n / 2;
        half -= half % 8;
        return PairwiseSum(a, start, half) + PairwiseSum(a, start + half, n - half);
    }

    private static bool Less(double a, double b) => a < b || (double.IsNaN(b) && !double.IsNaN(a));

    /// <summary>np.argsort(values) (kind "quicksort", the default): indices in ascending order, NaN last.</summary>
    public static int[] ArgSort(IReadOnlyList<double> v)
    {
        var num = v.Count;
        var order = Enumerable.Range(0, num).ToArray();
        if (num <= 1)
        {
            return order;
        }

        void Swap(int i, int j) => (order[i], order[j]) = (order[j], order[i]);
        var stack = new Stack<(int Low, int High, int Depth)>();
        int pl = 0, pr = num - 1;
        var depth = 2 * System.Numerics.BitOperations.Log2((uint)num);
        while (true)
        {
            if (depth < 0)
            {
                // numpy falls back to heapsort here (adversarial inputs only); an ordinary sort keeps the order valid.
                var part = order[pl..(pr + 1)].OrderBy(i => v[i], Comparer<double>.Create((a, b) => Less(a, b) ? -1 : Less(b, a) ? 1 : 0)).ToArray();
                part.CopyTo(order, pl);
                pr = pl;
            }

            while (pr - pl > 15)
            {
                var pm = pl + ((pr - pl) >> 1);
                if (Less(v[order[pm]], v[order[pl]]))
                {
                    Swap(pm, pl);
                }

                if (Less(v[order[pr]], v[order[pm]]))
                {
                    Swap(pr, pm);
                }

                if (Less(v[order[pm]], v[order[pl]]))
                {
                    Swap(pm, pl);
                }

                var pivot = v[order[pm]];
                int pi = pl, pj = pr - 1;
                Swap(pm, pj);
                while (true)
                {
                    do
                    {
                        pi++;
                    }
                    while (Less(v[order[pi]], pivot));

                    do
                    {
                        pj--;
                    }
                    while (Less(pivot, v[order[pj]]));

                    if (pi >= pj)
                    {
                        break;
                    }

                    Swap(pi, pj);
                }

                Swap(pi, pr - 1);
                if (pi - pl < pr - pi)
                {
                    stack.Push((pi + 1, pr, depth - 1));
                    pr = pi - 1;
                }
                else
                {
                    stack.Push((pl, pi - 1, depth - 1));
                    pl = pi + 1;
                }

                depth--;
            }

            for (var pi = pl + 1; pi <= pr; pi++)
            {
                var vi = order[pi];
                var vp = v[vi];
                var pj = pi;
                while (pj > pl && Less(vp, v[order[pj - 1]]))
                {
                    order[pj] = order[pj - 1];
                    pj--;
                }

                order[pj] = vi;
            }

            if (stack.Count == 0)
            {
                break;
            }

            (pl, pr, depth) = stack.Pop();
        }

        return order;
    }
}
