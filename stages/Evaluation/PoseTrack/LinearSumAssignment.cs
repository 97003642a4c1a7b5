namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>
/// The minimum-cost assignment of a rectangular cost matrix as scipy.optimize.linear_sum_assignment
/// (scipy 1.10, Debian 12) finds it: the shortest augmenting path method (Crouse, "On implementing 2D
/// rectangular assignment algorithms", 2016), rows added one at a time. Which of several optimal
/// assignments comes out depends on the method's order — columns scanned from the last, a tie going to
/// a free column — and poseval's tracking counts depend on that choice whenever distances tie, so this
/// keeps the same order rather than using any optimal solver.
/// </summary>
public static class LinearSumAssignment
{
    /// <summary>Row and column indices of the assignment, sorted by row; min(rows, columns) pairs.</summary>
    /// <exception cref="ArgumentException">A NaN or −∞ cost, or no finite assignment (scipy's "cost matrix is infeasible").</exception>
    public static (int[] Rows, int[] Columns) Solve(double[,] cost)
    {
        var (rows, columns) = (cost.GetLength(0), cost.GetLength(1));
        if (rows == 0 || columns == 0)
        {
            return ([], []);
        }

        // The method needs rows ≤ columns; a tall matrix is solved transposed.
        var transposed = columns < rows;
        var (nr, nc) = transposed ? (columns, rows) : (rows, columns);
        double C(int i, int j) => transposed ? cost[j, i] : cost[i, j];
        foreach (var c in cost)
        {
            if (double.IsNaN(c) || double.IsNegativeInfinity(c))
            {
                throw new ArgumentException("matrix contains invalid numeric entries", nameof(cost));
            }
        }

        var u = new double[nr];
        var v = new double[nc];
        var shortest = new double[nc];
        var path = new int[nc];
        var col4row = new int[nr];
        var row4col = new int[nc];
        var visitedRows = new bool[nr];
        var visitedColumns = new bool[nc];
        var remaining = new int[nc];
        Array.Fill(path, -1);
        Array.Fill(col4row, -1);
        Array.Fill(row4col, -1);
        for (var current = 0; current < nr; current++)
        {
            // Dijkstra over the reduced costs from row `current` to the nearest free column.
            Array.Fill(shortest, double.PositiveInfinity);
            Array.Clear(visitedRows);
            Array.Clear(visitedColumns);
            for (var k = 0; k < nc; k++)
            {
                remaining[k] = nc - k - 1;
            }

            var left = nc;
            var minimum = 0.0;
            var sink = -1;
            var i = current;
            while (sink < 0)
            {
                visitedRows[i] = true;
                var index = -1;
                var lowest = double.PositiveInfinity;
                for (var k = 0; k < left; k++)
                {
                    var j = remaining[k];
                    var reduced = minimum + C(i, j) - u[i] - v[j];
                    if (reduced < shortest[j])
                    {
                        path[j] = i;
                        shortest[j] = reduced;
                    }

                    if (shortest[j] < lowest || (shortest[j] == lowest && row4col[j] == -1))
                    {
                        lowest = shortest[j];
                        index = k;
                    }
                }

                minimum = lowest;
                if (double.IsPositiveInfinity(minimum))
                {
                    throw new ArgumentException("cost matrix is infeasible", nameof(cost));
                }

                var column = remaining[index];
                visitedColumns[column] = true;
                remaining[index] = remaining[--left];
                if (row4col[column] == -1)
                {
                    sink = column;
                }
                else
                {
                    i = row4col[column];
                }
            }

            // Update the dual variables, then flip the path's assignments.
            u[current] += minimum;
            for (var r = 0; r < nr; r++)
            {
                if (visitedRows[r] && r != current)
                {
                    u[r] += minimum - shortest[col4row[r]];
                }
            }

            for (var j = 0; j < nc; j++)
            {
                if (visitedColumns[j])
                {
                    v[j] -= minimum - shortest[j];
                }
            }

            for (var j = sink; ;)
            {
                var r = path[j];
                row4col[j] = r;
                (col4row[r], j) = (j, col4row[r]);
                if (r == current)
                {
                    break;
                }
            }
        }

        if (!transposed)
        {
            return ([.. Enumerable.Range(0, nr)], col4row);
        }

        // Transposed: the pairs are (col4row[k], k); sorted by their row, col4row[k].
        var order = Enumerable.Range(0, nr).OrderBy(k => col4row[k]).ToArray();
        return ([.. order.Select(k => col4row[k])], order);
    }
}
