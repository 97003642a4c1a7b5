using Pipeline.Graph.Run;

namespace Pipeline.Graph.Tests;

public sealed class RuntimeCompatibilityTests
{
    private static RunManifest Manifest(string runtime, int day, params string[] done) => new()
    {
        Started = new DateTimeOffset(2026, 11, day, 0, 0, 0, TimeSpan.Zero),
        Versions = { [RuntimeCompatibility.RuntimeKey] = runtime },
        Videos = done.Select(id => new RunManifest.VideoEntry { Id = id, Status = "done" }).ToList(),
    };

    [Fact]
    public void VideosOfTheSameRuntimePass() =>
        RuntimeCompatibility.Check([Manifest("2.10.0", 1, "a", "b")], ["a", "b"], "2.10.0", "out");

    [Fact]
    public void TheLatestRunThatCommittedAVideoDecides()
    {
        // "a" was labelled on 1.13 on the 1st, then recomputed on 2.10 on the 2nd (--force); "b" only on 1.13.
        RunManifest[] manifests = [Manifest("2.10.0", 2, "a"), Manifest("1.13.0", 1, "a", "b")];
        RuntimeCompatibility.Check(manifests, ["a"], "2.10.0", "out");
        var error = Assert.Throws<ArgumentException>(() => RuntimeCompatibility.Check(manifests, ["a", "b"], "2.10.0", "out"));
        Assert.StartsWith("out: 1 committed video(s) (b) were labelled on libtorch 1.13.0; this build runs libtorch 2.10.0", error.Message);
    }

    [Fact]
    public void VideosNoManifestMentionsAndFailedEntriesDoNotCount()
    {
        var failed = Manifest("1.13.0", 1);
        failed.Videos.Add(new RunManifest.VideoEntry { Id = "c", Status = "failed" });
        RuntimeCompatibility.Check([failed], ["c", "d"], "2.10.0", "out");
    }

    [Fact]
    public void AManifestWithoutARuntimeVersionIsTreatedAsAnother()
    {
        var unversioned = Manifest("x", 1, "a");
        unversioned.Versions.Clear();
        var error = Assert.Throws<ArgumentException>(() => RuntimeCompatibility.Check([unversioned], ["a"], "2.10.0", "out"));
        Assert.Contains("an unrecorded version", error.Message);
    }
}
