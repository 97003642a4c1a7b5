using System.Diagnostics;

namespace Pipeline.Cli.Bench;

/// <summary>
/// Times two implementations of the same work in alternating rounds and keeps the median of
/// each, so machine noise (these hosts are shared) hits both sides alike.
/// </summary>
internal static class SideBySide
{
    public static (double Managed, double Native) Seconds(int rounds, Action managed, Func<double> native)
    {
        var managedTimes = new List<double>(rounds);
        var nativeTimes = new List<double>(rounds);
        for (var i = 0; i < rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            managed();
            managedTimes.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            nativeTimes.Add(native());
        }

        return (Median(managedTimes), Median(nativeTimes));
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
