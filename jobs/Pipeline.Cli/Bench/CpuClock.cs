using System.Globalization;

namespace Pipeline.Cli.Bench;

/// <summary>
/// CPU seconds this process and its reaped children (FFmpeg) have used, from /proc/self/stat:
/// utime + stime + cutime + cstime, in USER_HZ ticks (100 per second on Linux).
/// </summary>
internal static class CpuClock
{
    private const double TicksPerSecond = 100;

    public static double Seconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime..cstime are fields 14..17.
        return Enumerable.Range(14, 4).Sum(f => long.Parse(fields[f - 3], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
