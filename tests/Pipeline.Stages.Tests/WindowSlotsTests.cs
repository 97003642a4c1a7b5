using Pipeline.Stages.Pose.Temporal;

namespace Pipeline.Stages.Tests;

public sealed class WindowSlotsTests
{
    private static readonly HashSet<long> Track = [10, 11, 14];

    [Theory]
    [InlineData(11, -2, 10)] // before the track's start: its first frame
    [InlineData(11, -1, 10)]
    [InlineData(11, 1, 11)]  // a gap: 12 and 13 are missing, the nearest within the window is the key
    [InlineData(11, 2, 11)]  // 14 is outside 9 … 13
    [InlineData(14, -1, 14)] // 13 is missing; of 12 and 14 (both 1 away) 14 is nearer the key (and 12 is missing too)
    [InlineData(14, -2, 14)] // 12 missing; 11 is outside 12 … 16
    [InlineData(14, 2, 14)]  // after the track's end
    [InlineData(10, 1, 11)]
    public void ASlotTakesTheTracksNearestFrameWithinTheWindow(long key, int offset, long expected) =>
        Assert.Equal(expected, WindowSlots.Frame(Track.Contains, key, offset, radius: 2));
}
