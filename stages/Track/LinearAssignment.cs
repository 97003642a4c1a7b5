namespace Pipeline.Stages.Track;

/// <summary>
/// Minimum-cost assignment (Hungarian algorithm, O(n³), rectangular matrices) with a gate:
/// pairs costing more than <c>maxCost</c> are never matched.
/// </summary>
public static class LinearAssignment
{
    public static List<(int Row, int Column)> Solve(double[,] cost, double maxCost)
    {
        var rows = cost.GetLength(0);
        var columns = cost.GetLength(1);
        var matches = new List<(int, int)>();
        if (rows == 0 || columns == 0)
        {
            return matches;
        }

        // Square matrix; gated and padding entries cost more than any real match could.
        var n = Math.Max(rows, columns);
        var forbidden = (maxCost + 1) * (n + 1);
        var a = new double[n + 1, n + 1];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                a[i + 1, j + 1] = i < rows && j < columns && cost[i, j] <= maxCost ? cost[i, j] : forbidden;
            }

        // Potentials-based Hungarian algorithm (1-indexed).
        var u = new double[n + 1];
        var v = new double[n + 1];
        var p = new int[n + 1];
        var way = new int[n + 1];
        for (var i = 1; i <= n; i++)
        {
            p[0] = i;
            var j0 = 0;
            var minv = Enumerable.Repeat(double.PositiveInfinity, n + 1).ToArray();
            var used = new bool[n + 1];
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                var delta = double.PositiveInfinity;
                for (var j = 1; j <= n; j++)
                {
                    if (used[j])
                    {
                        continue;
                    }

                    var current = a[i0, j] - u[i0] - v[j];
                    if (current < minv[j])
                    {
                        minv[j] = current;
                        way[j] = j0;
                    }

                    if (minv[j] < delta)
                    {
                        delta = minv[j];
                        j1 = j;
                    }
                }

                for (var j = 0; j <= n; j++)
                {
                    if (used[j])
                    {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minv[j] -= delta;
                    }
                }

                j0 = j1;
            }
            while (p[j0] != 0);

            do
            {
                var j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }

        for (var j = 1; j <= n; j++)
        {
            var i = p[j] - 1;
            if (i >= 0 && i < rows && j - 1 < columns && cost[i, j - 1] <= maxCost)
            {
                matches.Add((i, j - 1));
            }
        }

        return matches;
    }
}
