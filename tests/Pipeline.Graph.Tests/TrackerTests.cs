using Pipeline.Stages.Detect;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Track;

namespace Pipeline.Graph.Tests;

public sealed class TrackerTests
{
    [Fact]
    public void AssignmentIsOptimalAgainstBruteForce()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 50; trial++)
        {
            var rows = random.Next(1, 6);
            var columns = random.Next(1, 6);
            var cost = new double[rows, columns];
            for (var i = 0; i < rows; i++)
                for (var j = 0; j < columns; j++)
                {
                    cost[i, j] = random.NextDouble();
                }

            var gate = 0.7;
            var matches = LinearAssignment.Solve(cost, gate);
            Assert.Equal(matches.Count, matches.Select(m => m.Row).Distinct().Count());
            Assert.Equal(matches.Count, matches.Select(m => m.Column).Distinct().Count());
            Assert.All(matches, m => Assert.True(cost[m.Row, m.Column] <= gate));
            // Brute force: the best total over all partial matchings within the gate, counting
            // unmatched rows at the gate's cost (what the solver minimises).
            double Best(int row, HashSet<int> used)
            {
                if (row == rows)
                {
                    return 0;
                }

                var best = gate + 1 + Best(row + 1, used);
                for (var j = 0; j < columns; j++)
                {
                    if (!used.Contains(j) && cost[row, j] <= gate)
                    {
                        used.Add(j);
                        best = Math.Min(best, cost[row, j] + Best(row + 1, used));
                        used.Remove(j);
                    }
                }

                return best;
            }

            var total = matches.Sum(m => cost[m.Row, m.Column]) + ((rows - matches.Count) * (gate + 1));
            Assert.Equal(Best(0, []), total, 9);
        }
    }

    private static Detection Person(float x, float y, float score = 0.8f) => new(new BoundingBox(x, y, x + 20, y + 60), score);

    [Fact]
    public void IdsStayWithPeopleWhoCrossAndSurviveAShortOcclusion()
    {
        var tracker = new ByteTracker();
        var ids = new Dictionary<string, HashSet<int>> { ["left"] = [], ["right"] = [] };
        for (var f = 0; f < 40; f++)
        {
            var t = f * 0.1;
            var left = Person(100 + (f * 4), 200);
            var right = Person(400 - (f * 4), 210);
            // Frames 18-22: the right person is hidden (no detection) or seen weakly (low score).
            var detections = new List<Detection> { left };
            if (f is < 18 or > 22)
            {
                detections.Add(right);
            }
            else if (f == 20)
            {
                detections.Add(right with { Score = 0.3f });
            }

            foreach (var person in tracker.Update(detections, t))
            {
                var side = Math.Abs(person.Box.X1 - left.Box.X1) < 1 ? "left" : "right";
                ids[side].Add(person.TrackId);
            }
        }

        Assert.Single(ids["left"]);
        Assert.Single(ids["right"]);
        Assert.NotEqual(ids["left"].Single(), ids["right"].Single());
    }

    [Fact]
    public void NewPeopleAreConfirmedOnTheirSecondFrameAndLostTracksDie()
    {
        var tracker = new ByteTracker(new ByteTrackOptions { MaxLostSeconds = 0.5 });
        Assert.Single(tracker.Update([Person(10, 10)], 0));                 // first frame: born confirmed
        var second = tracker.Update([Person(12, 10), Person(300, 10)], 0.1); // newcomer: unconfirmed
        Assert.Single(second);
        var third = tracker.Update([Person(14, 10), Person(302, 10)], 0.2);
        Assert.Equal([1, 2], third.Select(p => p.TrackId));
        for (var f = 3; f < 12; f++)
        {
            tracker.Update([Person(302 + f, 10)], f * 0.1); // person 1 disappears
        }

        var back = tracker.Update([Person(30, 10), Person(315, 10)], 1.2);
        Assert.DoesNotContain(back, p => p.TrackId == 1); // gone longer than 0.5 s: a new id
        Assert.Contains(back, p => p.TrackId == 2);
    }

    [Fact]
    public void PredictionsFillFramesWithoutDetections()
    {
        var tracker = new ByteTracker();
        for (var f = 0; f < 5; f++)
        {
            tracker.Update([Person(100 + (f * 10), 50)], f * 0.1);
        }

        var predicted = Assert.Single(tracker.Predict(0.5));
        Assert.False(predicted.Detected);
        Assert.InRange(predicted.Box.X1, 140, 160); // kept moving at ~10 px per frame
    }
}
