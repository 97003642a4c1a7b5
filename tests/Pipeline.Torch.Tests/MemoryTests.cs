using static Pipeline.Torch.torch;

namespace Pipeline.Torch.Tests;

/// <summary>Resident memory is per process: nothing else may run while these measure it.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryTestsCollection;

[Collection(nameof(MemoryTests))]
public sealed class MemoryTests
{
    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void TwoThousandTrainingStepsInDisposeScopesKeepNativeMemoryFlat()
    {
        manual_seed(0);
        using var model = nn.Sequential(nn.Conv2d(3, 16, 3, padding: 1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding: 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 4));
        using var optimizer = new optim.AdamW(model.parameters(), lr: 1e-3);
        void Step()
        {
            using var scope = NewDisposeScope();
            var x = randn(8, 3, 32, 32);
            var target = randn(8, 4);
            optimizer.zero_grad();
            nn.functional.mse_loss(model.forward(x), target).backward();
            optimizer.step();
        }

        for (var i = 0; i < 200; i++)
        {
            Step(); // warm-up: allocator pools, optimizer state, JIT
        }

        GC.Collect();
        var before = ResidentBytes();
        for (var i = 0; i < 2000; i++)
        {
            Step();
        }

        GC.Collect();
        var after = ResidentBytes();
        var growth = (double)(after - before) / before;
        Assert.True(growth < 0.05, $"resident memory grew {growth:P1} ({before / 1e6:F1} MB -> {after / 1e6:F1} MB)");
    }

    [Fact]
    public void DisposeScopesDisposeTemporariesAndKeepMovedResults()
    {
        Tensor kept;
        Tensor temporary;
        using (var outer = NewDisposeScope())
        {
            using (var inner = NewDisposeScope())
            {
                temporary = ones(3);
                kept = inner.MoveToOuter(temporary * 2);
                Assert.Equal(1, inner.DisposablesCount);
            }

            Assert.True(temporary.IsInvalid);
            Assert.False(kept.IsInvalid);
            Assert.Equal(1, outer.DisposablesCount);
        }

        Assert.True(kept.IsInvalid);
    }

    [Fact]
    public void DisposeScopesRefuseToBeDisposedOnAnotherThread()
    {
        var scope = NewDisposeScope();
        Assert.IsType<InvalidOperationException>(OtherThread.Run(scope.Dispose));
        scope.Dispose();
    }
}

public sealed class CpuPoolTests
{
    [Fact]
    public void LargeTensorsFreedOnOneThreadAreReusedOnAnother()
    {
        cpu.empty_cache();
        var (before, _) = cpu.pool_stats();
        Assert.Null(OtherThread.Run(() => zeros(64, 1024, 1024).Dispose())); // 256 MB, freed into the pool
        var (afterFirst, cached) = cpu.pool_stats();
        Assert.True(afterFirst - before >= 256L << 20, $"the pool mapped {afterFirst - before} bytes for a 256 MB tensor");
        Assert.True(cached >= 256L << 20);
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(OtherThread.Run(() =>
            {
                using var t = ones(64, 1024, 1024);
                using var last = t[63, 1023, 1023]; // a view: it keeps the storage alive until disposed
                Assert.Equal(1f, last.item<float>());
            }));
        }

        Assert.Equal(afterFirst, cpu.pool_stats().mapped); // no new mappings: the block was reused
        cpu.empty_cache();
        Assert.Equal(0, cpu.pool_stats().cached);
    }
}
