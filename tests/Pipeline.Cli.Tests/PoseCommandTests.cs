using System.Text.Json;

namespace Pipeline.Cli.Tests;

public sealed class PoseCommandTests
{
    private const string Sample = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    // Every confident keypoint of single-frame Thunder lies in its person's box. A temporal head's
    // scores are heatmap peaks, and on joints its teacher was unsure of (score < 0.3, not supervised)
    // a peak can sit on a neighbour's limb: 1 of 98 at this frame with the shipped FaSRnet, so ≥ 95 %.
    [Theory]
    [InlineData("movenet-thunder", 1.0)]
    [InlineData("fasrnet", 0.95)] // the shipped weights, on the real frames 99 … 101
    public async Task DetectsPeopleAndPutsTheirKeypointsInsideTheirBoxes(string model, double insideShare)
    {
        var overlay = Path.Combine(Path.GetTempPath(), $"pose-{Guid.NewGuid():N}.png");
        var result = await CliRunner.RunAsync("pose", "--image", Sample, "--frame", "100", "--model", model, "--json", "--overlay", overlay);
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var people = json.RootElement.GetProperty("people").EnumerateArray().ToList();
        Assert.InRange(people.Count, 3, 12);
        var (confidentCount, insideCount) = (0, 0);
        foreach (var person in people)
        {
            var box = person.GetProperty("box").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var keypoints = person.GetProperty("keypoints").EnumerateArray().ToList();
            Assert.Equal(17, keypoints.Count);
            Assert.Equal("nose", keypoints[0].GetProperty("name").GetString());
            var confident = keypoints.Where(k => k.GetProperty("score").GetDouble() > 0.3).ToList();
            Assert.NotEmpty(confident);
            var margin = 0.15 * (box[3] - box[1]);
            confidentCount += confident.Count;
            insideCount += confident.Count(k =>
                k.GetProperty("x").GetDouble() >= box[0] - margin && k.GetProperty("x").GetDouble() <= box[2] + margin &&
                k.GetProperty("y").GetDouble() >= box[1] - margin && k.GetProperty("y").GetDouble() <= box[3] + margin);
        }

        Assert.True(insideCount >= insideShare * confidentCount, $"{insideCount} of {confidentCount} confident keypoints inside their boxes");

        Assert.True(new FileInfo(overlay).Length > 10_000);
        File.Delete(overlay);
    }

    [Fact]
    public async Task OnAStillImageATemporalModelsNeighboursAreTheImageItself()
    {
        var image = Path.Combine(Path.GetTempPath(), $"still-{Guid.NewGuid():N}.png");
        Assert.Equal(0, (await CliRunner.RunAsync("pose", "--image", Sample, "--frame", "100", "--overlay", image)).ExitCode);
        var result = await CliRunner.RunAsync("pose", "--image", image, "--box", "589,152,620,236", "--model", "dsa", "--json");
        File.Delete(image);
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var nose = Assert.Single(json.RootElement.GetProperty("people").EnumerateArray()).GetProperty("keypoints")[0];
        Assert.InRange(nose.GetProperty("x").GetDouble(), 580, 630);
    }

    [Fact]
    public async Task GivenBoxesSkipTheDetector()
    {
        var result = await CliRunner.RunAsync("pose", "--image", Sample, "--frame", "100", "--box", "589,152,620,236", "--model", "movenet-lightning", "--json");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal("given", json.RootElement.GetProperty("boxes").GetString());
        var person = Assert.Single(json.RootElement.GetProperty("people").EnumerateArray());
        var nose = person.GetProperty("keypoints")[0];
        Assert.InRange(nose.GetProperty("x").GetDouble(), 589, 620);
        Assert.InRange(nose.GetProperty("y").GetDouble(), 150, 180); // the head is at the top of the box
    }

    [Fact]
    public async Task BadInputsFailWithClearMessages()
    {
        var missing = await CliRunner.RunAsync("pose", "--image", "/nonexistent.mp4");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("/nonexistent.mp4", missing.Error);
        var badBox = await CliRunner.RunAsync("pose", "--image", Sample, "--box", "1,2,3");
        Assert.Equal(2, badBox.ExitCode);
        Assert.Contains("expected four numbers", badBox.Error);
        var badModel = await CliRunner.RunAsync("pose", "--image", Sample, "--model", "openpose");
        Assert.Equal(2, badModel.ExitCode);
        Assert.Contains("openpose", badModel.Error);
    }
}
