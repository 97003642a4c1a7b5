using Pipeline.Torch;

namespace Pipeline.Cli.Tests;

public sealed class SelfCheckTests
{
    private static readonly Dictionary<string, string?> Bare = new() { ["LD_PRELOAD"] = null, ["MALLOC_CONF"] = null };

    [Fact]
    public async Task StartedWithoutJemallocTheCliRestartsItselfOnIt()
    {
        var result = await CliRunner.RunAsync(Bare, "selfcheck");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"allocator: jemalloc ({MallocTuning.Configuration})", result.Output);
        Assert.Contains("conv2d forward/backward OK", result.Output);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task TheUsersOwnSettingsAreKeptAndTheSwitchTurnsItOff()
    {
        var kept = await CliRunner.RunAsync(new Dictionary<string, string?> { ["LD_PRELOAD"] = null, ["MALLOC_CONF"] = "narenas:2" }, "selfcheck");
        Assert.Contains($"allocator: jemalloc (narenas:2,{MallocTuning.Configuration})", kept.Output);
        // jemalloc preloaded by hand without our settings: restarted once with them added.
        var jemalloc = MallocTuning.FindLibrary()!;
        var preloaded = await CliRunner.RunAsync(new Dictionary<string, string?> { ["LD_PRELOAD"] = jemalloc, ["MALLOC_CONF"] = null }, "selfcheck");
        Assert.True(preloaded.ExitCode == 0, preloaded.Error);
        Assert.Contains($"allocator: jemalloc ({MallocTuning.Configuration})", preloaded.Output);
        var off = await CliRunner.RunAsync(new Dictionary<string, string?>(Bare) { [MallocTuning.Variable] = "off" }, "selfcheck");
        Assert.True(off.ExitCode == 0, off.Error);
        Assert.Contains("allocator: glibc malloc", off.Output);
    }
}
