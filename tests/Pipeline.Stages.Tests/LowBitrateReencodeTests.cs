using System.Security.Cryptography;
using Pipeline.Stages.Pose.Temporal.Training;

namespace Pipeline.Stages.Tests;

public sealed class LowBitrateReencodeTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lowbitrate").FullName;

    [Fact]
    public async Task TheLowBitrateVersionIsTheSameBytesOnEveryBuild()
    {
        // With x264's default frame threads two encodes of the sample differed; the bench's unseen regime must not move between cache builds.
        var hashes = new List<string>();
        foreach (var run in new[] { "a", "b" })
        {
            var directory = Directory.CreateDirectory(Path.Combine(folder, run)).FullName;
            var output = await BackboneCacheBuilder.ReencodeAsync(SampleVideo.Path, directory);
            hashes.Add(Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(output))));
        }

        Assert.Equal(hashes[0], hashes[1]);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
