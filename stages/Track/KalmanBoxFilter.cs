using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Track;

/// <summary>
/// Constant-velocity Kalman filter on (cx, cy, aspect = w/h, h) and their velocities, with noise
/// proportional to the box height — the motion model of SORT, DeepSORT and ByteTrack.
/// </summary>
public sealed class KalmanBoxFilter
{
    private const double PositionWeight = 1.0 / 20;
    private const double VelocityWeight = 1.0 / 160;
    private readonly double[] mean = new double[8];
    private readonly double[,] covariance = new double[8, 8];

    public KalmanBoxFilter(BoundingBox box)
    {
        var z = Measure(box);
        Array.Copy(z, mean, 4);
        var h = z[3];
        double[] std = [2 * PositionWeight * h, 2 * PositionWeight * h, 1e-2, 2 * PositionWeight * h, 10 * VelocityWeight * h, 10 * VelocityWeight * h, 1e-5, 10 * VelocityWeight * h];
        for (var i = 0; i < 8; i++)
        {
            covariance[i, i] = std[i] * std[i];
        }
    }

    public BoundingBox Box
    {
        get
        {
            var w = mean[2] * mean[3];
            return BoundingBox.FromCenter((float)mean[0], (float)mean[1], (float)w, (float)mean[3]);
        }
    }

    private static double[] Measure(BoundingBox box) => [box.CenterX, box.CenterY, box.Width / Math.Max(box.Height, 1e-6), box.Height];

    /// <summary>Advances one frame: x ← F x, P ← F P Fᵀ + Q.</summary>
    public void Predict()
    {
        var h = mean[3];
        double[] std = [PositionWeight * h, PositionWeight * h, 1e-2, PositionWeight * h, VelocityWeight * h, VelocityWeight * h, 1e-5, VelocityWeight * h];
        for (var i = 0; i < 4; i++)
        {
            mean[i] += mean[i + 4];
        }

        // P ← F P Fᵀ with F = [[I, I], [0, I]].
        var p = (double[,])covariance.Clone();
        for (var i = 0; i < 8; i++)
            for (var j = 0; j < 8; j++)
            {
                var value = p[i, j];
                if (i < 4)
                {
                    value += p[i + 4, j];
                }

                if (j < 4)
                {
                    value += p[i, j + 4];
                }

                if (i < 4 && j < 4)
                {
                    value += p[i + 4, j + 4];
                }

                covariance[i, j] = value;
            }

        for (var i = 0; i < 8; i++)
        {
            covariance[i, i] += std[i] * std[i];
        }
    }

    /// <summary>Corrects with a measured box: K = P Hᵀ (H P Hᵀ + R)⁻¹, x ← x + K (z − H x), P ← (I − K H) P.</summary>
    public void Update(BoundingBox box)
    {
        var z = Measure(box);
        var h = mean[3];
        double[] r = [PositionWeight * h, PositionWeight * h, 1e-1, PositionWeight * h];
        var s = new double[4, 4];
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 4; j++)
            {
                s[i, j] = covariance[i, j] + (i == j ? r[i] * r[i] : 0);
            }

        var sInverse = Invert4(s);
        var gain = new double[8, 4];
        for (var i = 0; i < 8; i++)
            for (var j = 0; j < 4; j++)
            {
                double sum = 0;
                for (var k = 0; k < 4; k++)
                {
                    sum += covariance[i, k] * sInverse[k, j];
                }

                gain[i, j] = sum;
            }

        var innovation = new double[4];
        for (var i = 0; i < 4; i++)
        {
            innovation[i] = z[i] - mean[i];
        }

        for (var i = 0; i < 8; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                mean[i] += gain[i, j] * innovation[j];
            }
        }

        var p = (double[,])covariance.Clone();
        for (var i = 0; i < 8; i++)
            for (var j = 0; j < 8; j++)
            {
                double correction = 0;
                for (var k = 0; k < 4; k++)
                {
                    correction += gain[i, k] * p[k, j];
                }

                covariance[i, j] = p[i, j] - correction;
            }
    }

    private static double[,] Invert4(double[,] m)
    {
        // Gauss-Jordan with partial pivoting; S is symmetric positive definite.
        var a = new double[4, 8];
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                a[i, j] = m[i, j];
            }

            a[i, i + 4] = 1;
        }

        for (var c = 0; c < 4; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < 4; r++)
            {
                if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c]))
                {
                    pivot = r;
                }
            }

            for (var j = 0; j < 8; j++)
            {
                (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            }

            var d = a[c, c];
            for (var j = 0; j < 8; j++)
            {
                a[c, j] /= d;
            }

            for (var r = 0; r < 4; r++)
            {
                if (r == c)
                {
                    continue;
                }

                var f = a[r, c];
                for (var j = 0; j < 8; j++)
                {
                    a[r, j] -= f * a[c, j];
                }
            }
        }

        var inverse = new double[4, 4];
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 4; j++)
            {
                inverse[i, j] = a[i, j + 4];
            }

        return inverse;
    }
}
