namespace Pipeline.Torch.Tests;

public sealed class MallocTuningTests
{
    [Fact]
    public void MergingKeepsTheUsersSettingsAndAddsTheRest()
    {
        Assert.Equal(MallocTuning.Configuration, MallocTuning.MergeConfiguration(null));
        Assert.Equal("dirty_decay_ms:500,muzzy_decay_ms:-1", MallocTuning.MergeConfiguration("dirty_decay_ms:500"));
        Assert.Equal("narenas:4,dirty_decay_ms:-1,muzzy_decay_ms:-1", MallocTuning.MergeConfiguration("narenas:4"));
    }

    [Fact]
    public void TheTestRunnerRunsOnJemalloc()
    {
        Assert.NotNull(MallocTuning.FindLibrary());
        Assert.True(MallocTuning.JemallocLoaded(), "tests/test.runsettings preloads jemalloc for test processes");
        Assert.StartsWith("jemalloc (dirty_decay_ms:-1,muzzy_decay_ms:-1", MallocTuning.Describe());
    }
}
