using Pipeline.Stages.Evaluation;

namespace Pipeline.Stages.Tests;

/// <summary>COCOeval's keypoint metrics on cases small enough to work out by hand.</summary>
public sealed class CocoKeypointEvaluationTests
{
    private const double Area = 10_000;

    /// <summary>A person whose only labelled joint is the nose at (100, 100), area 10,000 (a "large" person).</summary>
    private static CocoGroundTruth Nose(long id, long image, double area = Area, bool crowd = false, int labelled = 1)
    {
        var keypoints = new double[51];
        (keypoints[0], keypoints[1], keypoints[2]) = (100, 100, labelled > 0 ? 2 : 0);
        return new CocoGroundTruth(id, image, keypoints, [50, 50, 100, 100], area, crowd, labelled);
    }

    /// <summary>A detection with every joint at (100 + dx, 100), so its extent (area) is 0 unless spread.</summary>
    private static CocoDetection At(long image, double dx, double score)
    {
        var keypoints = new double[51];
        for (var k = 0; k < 17; k++)
        {
            (keypoints[3 * k], keypoints[(3 * k) + 1], keypoints[(3 * k) + 2]) = (100 + dx + k, 100 + (k * 10), 1);
        }

        keypoints[0] = 100 + dx;
        keypoints[1] = 100;
        return new CocoDetection(image, keypoints, score);
    }

    /// <summary>The nose offset that gives OKS = <paramref name="oks"/>: exp(−d² / (2 · area · (2σ)²)) = oks.</summary>
    private static double Offset(double oks, double area = Area) => Math.Sqrt(-Math.Log(oks) * 2 * area * Math.Pow(2 * 0.026, 2));

    [Fact]
    public void OksIsTheNoseTermForAOneJointPerson()
    {
        Assert.Equal(0.72, CocoKeypointEvaluation.Oks(Nose(1, 1), At(1, Offset(0.72), 1).Keypoints), 12);
        Assert.Equal(1.0, CocoKeypointEvaluation.Oks(Nose(1, 1), At(1, 0, 1).Keypoints), 12);
    }

    [Fact]
    public void OksOfAPersonWithoutLabelledJointsMeasuresTheDistanceOutsideItsDoubledBox()
    {
        // Box [50, 50, 100, 100] widened to x ∈ [−50, 250], y ∈ [−50, 250]: joints inside count as hits.
        var person = Nose(1, 1, labelled: 0);
        var inside = new double[51];
        for (var k = 0; k < 17; k++)
        {
            (inside[3 * k], inside[(3 * k) + 1]) = (100 + k, 100 + k);
        }

        Assert.Equal(1.0, CocoKeypointEvaluation.Oks(person, inside), 12);
        var outside = (double[])inside.Clone();
        outside[0] = 260; // 10 px beyond x1 for the nose; the others stay inside.
        var expected = (16 + Math.Exp(-100 / Math.Pow(2 * 0.026, 2) / Area / 2)) / 17;
        Assert.Equal(expected, CocoKeypointEvaluation.Oks(person, outside), 12);
    }

    [Fact]
    public void APerfectDetectionScoresOne()
    {
        var s = CocoKeypointEvaluation.Evaluate([1], [Nose(1, 1)], [At(1, 0, 0.9)]);
        // Precision is tp / (tp + fp + ε), so "1" is 1 − 2.2e-16, as in pycocotools.
        Assert.All(new[] { s.Ap, s.Ap50, s.Ap75, s.Ar, s.ApLarge }, v => Assert.Equal(1.0, v, 12));
        // A large person: nothing in the medium range (−1, left out), as pycocotools prints.
        Assert.Equal(-1.0, s.ApMedium);
    }

    [Fact]
    public void AnOksOfPoint72HitsTheFiveThresholdsUpToPoint70()
    {
        var s = CocoKeypointEvaluation.Evaluate([1], [Nose(1, 1)], [At(1, Offset(0.72), 0.9)]);
        // 0.50 … 0.70 hit (AP 1 each), 0.75 … 0.95 miss (AP 0): AP = AR = 5/10.
        Assert.Equal(0.5, s.Ap, 12);
        Assert.Equal(0.5, s.Ar, 12);
        Assert.Equal(1.0, s.Ap50, 12);
        Assert.Equal(0.0, s.Ap75, 12);
    }

    [Fact]
    public void AWrongDetectionScoredAboveTheRightOneHalvesThePrecision()
    {
        CocoDetection[] wrongFirst = [At(1, 200, 0.9), At(1, 0, 0.5)];
        // At every threshold: a false positive, then the true positive → precision 1/2 at recall 1.
        Assert.Equal(0.5, CocoKeypointEvaluation.Evaluate([1], [Nose(1, 1)], wrongFirst).Ap, 12);
        CocoDetection[] rightFirst = [At(1, 0, 0.9), At(1, 200, 0.5)];
        Assert.Equal(1.0, CocoKeypointEvaluation.Evaluate([1], [Nose(1, 1)], rightFirst).Ap, 12);
    }

    [Fact]
    public void ADuplicateOfAMatchedPersonIsAFalsePositive()
    {
        // Two people in two images, one detection each, plus a lower-scored duplicate on image 1.
        CocoDetection[] detections = [At(1, 0, 0.9), At(2, 0, 0.8), At(1, 1, 0.7)];
        var s = CocoKeypointEvaluation.Evaluate([1, 2], [Nose(1, 1), Nose(2, 2)], detections);
        // TP, TP, FP: recall reaches 1 at the second detection with precision 1.
        Assert.Equal(1.0, s.Ap, 12);
        CocoDetection[] duplicateSecond = [At(1, 0, 0.9), At(1, 1, 0.85), At(2, 0, 0.8)];
        // TP, FP, TP: recall 1/2 at precision 1, recall 1 at precision 2/3 → (51 · 1 + 50 · 2/3) / 101.
        Assert.Equal(((51 * 1.0) + (50 * (2.0 / 3))) / 101, CocoKeypointEvaluation.Evaluate([1, 2], [Nose(1, 1), Nose(2, 2)], duplicateSecond).Ap, 9);
    }

    [Fact]
    public void DetectionsOfIgnoredPeopleCountNeitherWay()
    {
        // A crowd and a person without labelled joints are ignored: the detections matching them are
        // neither hits nor false positives, and the one real person's detection scores 1.
        CocoGroundTruth[] gts = [Nose(1, 1), Nose(2, 2, crowd: true), Nose(3, 3, labelled: 0)];
        CocoDetection[] detections = [At(2, 0, 0.99), At(3, 0, 0.98), At(1, 0, 0.5)];
        Assert.Equal(1.0, CocoKeypointEvaluation.Evaluate([1, 2, 3], gts, detections).Ap, 12);
    }

    [Fact]
    public void OnlyTheTwentyBestDetectionsOfAnImageCount()
    {
        var detections = Enumerable.Range(0, 20).Select(i => At(1, 300, 0.9 - (i * 0.01))).Append(At(1, 0, 0.1)).ToList();
        Assert.Equal(0.0, CocoKeypointEvaluation.Evaluate([1], [Nose(1, 1)], detections).Ap, 12);
        Assert.Equal(1.0 / 20, CocoKeypointEvaluation.Evaluate([1], [Nose(1, 1)], detections.Skip(1).ToList()).Ap, 2);
    }

    [Fact]
    public void AreaRangesSplitPeopleBySize()
    {
        // A medium person (area 2,000 in 32²–96²): counted in "all" and "medium", "large" has none (−1).
        var s = CocoKeypointEvaluation.Evaluate([1], [Nose(1, 1, area: 2000)], [At(1, 0, 0.9)]);
        Assert.Equal(1.0, s.Ap, 12);
        Assert.Equal(1.0, s.ApMedium, 12);
        Assert.Equal(-1.0, s.ApLarge);
    }

    [Fact]
    public void TheThresholdsAreNumpysLinspace()
    {
        Assert.Equal([0.35000000000000003, 0.5700000000000001, 1.0], new[] { 35, 57, 100 }.Select(i => CocoPrecision.RecallThresholds[i]));
        // numpy's own values (printed by numpy 1.24), not 0.5 + 0.05 i.
        Assert.Equal([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95], CocoKeypointEvaluation.Thresholds);
    }

    [Fact]
    public async Task ResultsWithBoxesTakeTheirAreaFromTheBoxAsLoadResDoes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"results-{Guid.NewGuid():N}.json");
        var gt = new CocoKeypointDataset(new HashSet<long> { 1 }, [], 1);
        var keypoints = string.Join(",", Enumerable.Range(0, 51).Select(i => i % 3 == 2 ? "1" : $"{i}"));
        try
        {
            File.WriteAllText(path, $$"""[{"image_id": 1, "category_id": 1, "score": 0.5, "keypoints": [{{keypoints}}], "bbox": [0, 0, 30, 40]}]""");
            Assert.Equal(1200.0, Assert.Single(await CocoKeypointFiles.ReadDetectionsAsync(path, gt)).Area);
            File.WriteAllText(path, $$"""[{"image_id": 1, "category_id": 1, "score": 0.5, "keypoints": [{{keypoints}}]}]""");
            Assert.Null(Assert.Single(await CocoKeypointFiles.ReadDetectionsAsync(path, gt)).Area);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
