using Pipeline.Graph.Run;

namespace Pipeline.Graph.Tests;

public sealed class ProgressReporterTests
{
    [Fact]
    public async Task ShowsDoneOverTotalWithAnEtaOrJustDoneWhenTheTotalIsUnknown()
    {
        await using var open = new ProgressReporter(TextWriter.Null, isTerminal: false, quiet: true);
        open.VideoFinished();
        Assert.Matches(@"^videos 1 done \| \d+ frames \| [\d.]+ frames/s \| elapsed \d\d:\d\d:\d\d$", open.Line());

        await using var known = new ProgressReporter(TextWriter.Null, isTerminal: false, quiet: true);
        known.SetTotal(3);
        known.VideoFinished();
        Assert.Matches(@"^videos 1/3 \| \d+ frames \| [\d.]+ frames/s \| elapsed \d\d:\d\d:\d\d \| ETA (\d\d:\d\d:\d\d|--:--:--)$", known.Line());
    }
}
