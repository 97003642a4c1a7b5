using System.Text.Json.Nodes;

namespace Pipeline.Cli.Tests;

/// <summary>`eval posetrack` on bad input: an error naming the file and exit 2 where it cannot go on, a warning with counts where it can.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("eval-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>A PoseTrack17 file: two labelled frames of one person (track 3) with a head box and three joints.</summary>
    private static string Sequence() => new JsonObject
    {
        ["annolist"] = new JsonArray([.. Enumerable.Range(0, 2).Select(f => (JsonNode)new JsonObject
        {
            ["image"] = new JsonArray(new JsonObject { ["name"] = $"images/val/000001_mpii_test/{f:000000}.jpg" }),
            ["annorect"] = new JsonArray(new JsonObject
            {
                ["x1"] = new JsonArray(100), ["y1"] = new JsonArray(100), ["x2"] = new JsonArray(150), ["y2"] = new JsonArray(140),
                ["track_id"] = new JsonArray(3),
                ["annopoints"] = new JsonArray(new JsonObject
                {
                    ["point"] = new JsonArray([.. new[] { 13, 8, 9 }.Select(j => (JsonNode)new JsonObject
                    {
                        ["id"] = new JsonArray(j), ["x"] = new JsonArray(120 + j), ["y"] = new JsonArray(150 + (10 * j)), ["score"] = new JsonArray(0.9),
                    })]),
                }),
            }),
        })]),
    }.ToJsonString();

    private string Folder(string name, params (string File, string Text)[] files)
    {
        var folder = Directory.CreateDirectory(Path.Combine(directory, name)).FullName;
        foreach (var (file, text) in files)
        {
            File.WriteAllText(Path.Combine(folder, file), text);
        }

        return folder;
    }

    [Fact]
    public async Task PredictionsEqualToAPartlyLabelledGroundTruthScoreAsPosevalAndExtraFilesAreAWarning()
    {
        var gt = Folder("gt", ("000001_mpii_test.json", Sequence()));
        var pred = Folder("pred", ("000001_mpii_test.json", Sequence()), ("000002_mpii_test.json", Sequence()));
        var result = await CliRunner.RunAsync("eval", "posetrack", "--gt", gt, "--pred", pred);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("1 of 2 prediction files in", result.Error);
        Assert.Contains("have no ground-truth sequence and are not scored", result.Error);
        // As real poseval prints it for this pair (checked by hand): a joint nobody labelled has AP 0, so Head is
        // mean(head_top 0, head_bottom 0, nose 100) and Total 3 × 100 / 15; its MOTA is NaN (no objects) and its
        // MOTP 0 (no detections), so the MOT Total MOTA is 100 but Total MOTP 20. Only the shoulders are unaffected.
        Assert.Contains(@"& 33.3 &100.0 &  0.0 &  0.0 &  0.0 &  0.0 &  0.0 & 20.0 \\", result.Output);
        Assert.Contains(@"&  nan &100.0 &  nan &  nan &  nan &  nan &  nan &100.0 & 20.0 &100.0 &100.0 \\", result.Output);
    }

    [Fact]
    public async Task AGroundTruthFileOfUnknownFormatIsRefusedNamingIt()
    {
        var gt = Folder("gt", ("000001_mpii_test.json", """{"videos": []}"""));
        var result = await CliRunner.RunAsync("eval", "posetrack", "--gt", gt, "--pred", Folder("pred", ("000001_mpii_test.json", Sequence())));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(Path.Combine(gt, "000001_mpii_test.json") + ": neither a PoseTrack17 file (annolist) nor a PoseTrack18 file", result.Error);
    }

    [Fact]
    public async Task AnEmptyPredictionFolderIsRefused()
    {
        var empty = Folder("pred");
        var result = await CliRunner.RunAsync("eval", "posetrack", "--gt", Folder("gt", ("000001_mpii_test.json", Sequence())), "--pred", empty);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{empty}: no predictions here", result.Error);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task AMissingPredictionFileIsRefusedAsPosevalDoes()
    {
        var pred = Folder("pred", ("000002_mpii_test.json", Sequence()));
        var result = await CliRunner.RunAsync("eval", "posetrack", "--gt", Folder("gt", ("000001_mpii_test.json", Sequence())), "--pred", pred);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Prediction file {Path.Combine(pred, "000001_mpii_test.json")} does not exist", result.Error);
    }
}
