using Pipeline.Stages.Pose.Temporal;
using Pipeline.Stages.Pose.Temporal.DSA;
using Pipeline.Stages.Pose.Temporal.FaSRnet;
using Pipeline.Torch;
using static TorchSharp.torch;

namespace Pipeline.Stages.Tests;

public sealed class TemporalWeightsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("weights-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("fasrnet")]
    [InlineData("fasrnet-s8")]
    [InlineData("dsa")]
    [InlineData("dsa-s8")]
    [InlineData("vremd")]
    [InlineData("vremd-no-bmd")]
    [InlineData("continuity")]
    [InlineData("continuity-no-fusion")]
    [InlineData("sdtc")]
    [InlineData("sdtc-no-masking")]
    public void TheRegistrysRadiusIsTheHeadsOwn(string name)
    {
        using var head = TemporalModels.Create(name);
        Assert.Equal(head.Radius, TemporalModels.Radius(name));
    }

    [Fact]
    public void AHeadsOwnTrainingSettingsAreRecordedInItsWeights()
    {
        var path = Path.Combine(folder, "continuity.safetensors");
        using var head = new Pose.Temporal.Continuity.Continuity();
        TemporalWeights.Save(path, head, new Dictionary<string, string>());
        using var fresh = new Pose.Temporal.Continuity.Continuity();
        Assert.Equal("h2=1 h1=0.2 c=0.0003 s=0.0003 t=4E-07 margin=0.1", TemporalWeights.Load(path, fresh)["loss_weights"]);
    }

    [Fact]
    public void SavedWeightsLoadIntoAFreshHeadWithTheirMetadata()
    {
        var path = Path.Combine(folder, "fasrnet.safetensors");
        using var trained = new FaSRnet();
        using (no_grad())
        {
            foreach (var p in trained.parameters())
            {
                p.add_(0.01);
            }
        }

        TemporalWeights.Save(path, trained, new Dictionary<string, string> { [TemporalWeights.CommandKey] = "./run.sh train --model fasrnet" });
        using var fresh = new FaSRnet();
        var metadata = TemporalWeights.Load(path, fresh);
        Assert.Equal("fasrnet", metadata[TemporalWeights.ModelKey]);
        Assert.Equal("./run.sh train --model fasrnet", metadata[TemporalWeights.CommandKey]);
        var expected = trained.state_dict();
        Assert.All(fresh.state_dict(), kv => Assert.Equal(expected[kv.Key].data<float>().ToArray(), kv.Value.data<float>().ToArray()));
    }

    [Fact]
    public void MissingTruncatedMismatchedAndForeignWeightsAreRefusedNamingTheFileAndTheTrainCommand()
    {
        using var head = new FaSRnet();
        var missing = Path.Combine(folder, "missing.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => TemporalWeights.Load(missing, head));
        Assert.Contains(missing, e.Message);
        Assert.Contains("./run.sh train --model fasrnet", e.Message);

        var good = Path.Combine(folder, "good.safetensors");
        TemporalWeights.Save(good, head, new Dictionary<string, string>());
        var truncated = Path.Combine(folder, "truncated.safetensors");
        File.WriteAllBytes(truncated, File.ReadAllBytes(good)[..^100]);
        var t = Assert.Throws<InvalidDataException>(() => TemporalWeights.Load(truncated, head));
        Assert.Contains(truncated, t.Message);
        Assert.Contains("./run.sh train --model fasrnet", t.Message);

        var narrow = Path.Combine(folder, "narrow.safetensors");
        using var other = new FaSRnet(offsetWidth: 4);
        TemporalWeights.Save(narrow, other, new Dictionary<string, string>());
        var m = Assert.Throws<InvalidDataException>(() => TemporalWeights.Load(narrow, head));
        Assert.Contains("does not match model 'fasrnet'", m.Message);

        var dsa = Path.Combine(folder, "dsa.safetensors");
        using var dsaHead = new DSA();
        TemporalWeights.Save(dsa, dsaHead, new Dictionary<string, string>());
        var f = Assert.Throws<InvalidDataException>(() => TemporalWeights.Load(dsa, head));
        Assert.Contains("model 'dsa', not 'fasrnet'", f.Message);

        var plain = Path.Combine(folder, "plain.safetensors");
        SafeTensors.Write(plain, [("x", zeros(1))]);
        Assert.Contains("model '(none)'", Assert.Throws<InvalidDataException>(() => TemporalWeights.Load(plain, head)).Message);
    }
}
