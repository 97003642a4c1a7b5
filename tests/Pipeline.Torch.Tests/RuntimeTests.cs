using System.Text;
using static TorchSharp.torch;

namespace Pipeline.Torch.Tests;

public sealed class RuntimeTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("torch-runtime-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task EveryThreadRunsWithTheConfiguredThreadCount()
    {
        var expected = TorchRuntime.ThreadCount(Environment.GetEnvironmentVariable(TorchRuntime.ThreadsVariable));
        Assert.Equal(expected, TorchRuntime.Threads);
        Assert.Equal(expected, get_num_threads());
        // The pose workers run on thread-pool threads: they must see the same count.
        var onPool = await Task.Run(() =>
        {
            using var x = randn(256, 256);
            using var y = x.matmul(x);
            return get_num_threads();
        });
        Assert.Equal(expected, onPool);
    }

    [Theory]
    [InlineData(null, -1)]
    [InlineData("", -1)]
    [InlineData("3", 3)]
    public void ThreadCountComesFromTheEnvironmentOrTheProcessorCount(string? setting, int expected) =>
        Assert.Equal(expected < 0 ? Environment.ProcessorCount : expected, TorchRuntime.ThreadCount(setting));

    [Theory]
    [InlineData("0")]
    [InlineData("two")]
    [InlineData("-1")]
    public void ABadThreadCountIsRefusedNamingTheVariable(string setting)
    {
        var error = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.ThreadCount(setting));
        Assert.Contains($"PIPELINE_TORCH_THREADS='{setting}'", error.Message);
    }

    [Fact]
    public void TheBuildPutTorchSharpsNativeFilesWhereItLoadsThem()
    {
        var library = NativeLibraryCheck.FindLibrary(AppContext.BaseDirectory);
        Assert.NotNull(library);
        Assert.Null(NativeLibraryCheck.Diagnose(AppContext.BaseDirectory, NativeLibraryCheck.LoadedLibStdCxx()));
        // TorchSharp falls back to copying native files out of the NuGet cache into cpu/ beside the
        // app when its first loading step fails; the runtime loaded without that.
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "cpu")));
    }

    [Fact]
    public void AMissingNativeLibraryIsReportedWithWhatToRun()
    {
        var problem = NativeLibraryCheck.Diagnose(directory, FakeLibStdCxx(hasRequiredVersion: true));
        Assert.Contains($"{NativeLibraryCheck.LibraryFile}) is not in {directory}", problem);
        Assert.Contains("./run.sh setup", problem);
    }

    [Fact]
    public void AnOldCxxRuntimeWithoutTheCompatibleCopyIsReportedWithWhatToRun()
    {
        File.WriteAllBytes(Path.Combine(directory, NativeLibraryCheck.LibraryFile), [0x7f, (byte)'E', (byte)'L', (byte)'F']);
        var libStdCxx = FakeLibStdCxx(hasRequiredVersion: false);
        var problem = NativeLibraryCheck.Diagnose(directory, libStdCxx);
        Assert.NotNull(problem);
        Assert.Contains("needs GLIBCXX_3.4.32", problem);
        Assert.Contains(libStdCxx, problem);
        Assert.Contains("./run.sh setup", problem);

        // The compatible copy's companion library in place, or a new enough C++ runtime: loads.
        Assert.Null(NativeLibraryCheck.Diagnose(directory, FakeLibStdCxx(hasRequiredVersion: true)));
        File.WriteAllBytes(Path.Combine(directory, NativeLibraryCheck.CompatLibraryFile), []);
        Assert.Null(NativeLibraryCheck.Diagnose(directory, libStdCxx));
    }

    [Fact]
    public void SymbolVersionsAreMatchedWhole()
    {
        var path = Path.Combine(directory, "versions.so");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("GLIBCXX_3.4.3\0GLIBCXX_3.4.30\0GLIBCXX_3.4.321\0"));
        Assert.True(NativeLibraryCheck.Provides(path, "GLIBCXX_3.4.30"));
        Assert.False(NativeLibraryCheck.Provides(path, "GLIBCXX_3.4.32"));
    }

    private string FakeLibStdCxx(bool hasRequiredVersion)
    {
        var path = Path.Combine(directory, hasRequiredVersion ? "libstdc++.so.6.0.33" : "libstdc++.so.6.0.30");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes(hasRequiredVersion ? "GLIBCXX_3.4.30\0GLIBCXX_3.4.32\0" : "GLIBCXX_3.4.29\0GLIBCXX_3.4.30\0"));
        return path;
    }
}
