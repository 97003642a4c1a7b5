using System.Diagnostics;

namespace Pipeline.Cli.Bench;

/// <summary>Medians of repeated timings: these hosts are shared, so single runs say little.</summary>
internal static class Timing
{
    /// <summary>Runs <paramref name="action"/> <paramref name="warmup"/> times untimed, then <paramref name="rounds"/> times; the median seconds.</summary>
    public static double MedianSeconds(int rounds, Action action, int warmup = 0)
    {
        for (var i = 0; i < warmup; i++)
        {
            action();
        }

        var times = new List<double>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        return Median(times);
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
