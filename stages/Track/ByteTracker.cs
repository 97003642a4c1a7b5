using Pipeline.Stages.Detect;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Track;

/// <summary>A person tracked in the current frame: id (stable within a video), box and score.</summary>
public readonly record struct TrackedPerson(int TrackId, BoundingBox Box, float Score, bool Detected);

/// <summary>
/// ByteTrack (Zhang et al., 2022): Kalman-predicted tracks are matched to high-score detections
/// first, then the remaining tracks to low-score detections (which rescues occluded people);
/// unmatched tracks become lost and die after <see cref="ByteTrackOptions.MaxLostSeconds"/>;
/// unmatched high-score detections give birth to tracks, confirmed when matched in the next frame
/// (or at once in a video's first frame). One instance per video; not thread-safe.
/// </summary>
public sealed class ByteTracker
{
    private readonly ByteTrackOptions options;
    private readonly List<Track> tracks = [];
    private int nextId = 1;
    private long frameNumber;

    public ByteTracker(ByteTrackOptions? options = null)
    {
        this.options = options ?? new ByteTrackOptions();
        this.options.Validate();
    }

    private enum State
    {
        Unconfirmed,
        Tracked,
        Lost,
    }

    private sealed class Track(KalmanBoxFilter filter, float score, long frame)
    {
        public KalmanBoxFilter Filter { get; } = filter;

        public int Id { get; set; }

        public State State { get; set; } = State.Unconfirmed;

        public float Score { get; set; } = score;

        public long LastSeenFrame { get; set; } = frame;

        public double LastSeenTime { get; set; }

        /// <summary>The box of the detection last matched (what the pose crop should use).</summary>
        public BoundingBox LastBox { get; set; }

        public void Match(Detection d, long frame, double time)
        {
            Filter.Update(d.Box);
            LastBox = d.Box;
            Score = d.Score;
            LastSeenFrame = frame;
            LastSeenTime = time;
        }
    }

    /// <summary>Updates with one frame's detections; returns the confirmed people matched in this frame.</summary>
    public List<TrackedPerson> Update(IReadOnlyList<Detection> detections, double time)
    {
        frameNumber++;
        foreach (var t in tracks)
        {
            t.Filter.Predict();
        }

        var high = detections.Where(d => d.Score >= options.HighScore).ToList();
        var low = detections.Where(d => d.Score >= options.LowScore && d.Score < options.HighScore).ToList();
        var matchedNow = new List<Track>();

        // 1. High-score detections against tracked and lost tracks.
        var pool = tracks.Where(t => t.State is State.Tracked or State.Lost).ToList();
        var (firstMatches, unmatchedTracks, unmatchedHigh) = Associate(pool, high, options.FirstMatchIoU);
        foreach (var (t, d) in firstMatches)
        {
            t.Match(d, frameNumber, time);
            t.State = State.Tracked;
            matchedNow.Add(t);
        }

        // 2. Low-score detections against tracks still unmatched that were tracked last frame.
        var remaining = unmatchedTracks.Where(t => t.State == State.Tracked).ToList();
        var (secondMatches, stillUnmatched, _) = Associate(remaining, low, options.SecondMatchIoU);
        foreach (var (t, d) in secondMatches)
        {
            t.Match(d, frameNumber, time);
            matchedNow.Add(t);
        }

        foreach (var t in stillUnmatched)
        {
            t.State = State.Lost;
        }

        // 3. Unconfirmed tracks against the high detections nobody took.
        var unconfirmed = tracks.Where(t => t.State == State.Unconfirmed).ToList();
        var (confirmMatches, unconfirmedLeft, freshHigh) = Associate(unconfirmed, unmatchedHigh, options.UnconfirmedMatchIoU);
        foreach (var (t, d) in confirmMatches)
        {
            t.Match(d, frameNumber, time);
            t.State = State.Tracked;
            t.Id = nextId++;
            matchedNow.Add(t);
        }

        tracks.RemoveAll(t => unconfirmedLeft.Contains(t));

        // 4. Births; 5. deaths.
        foreach (var d in freshHigh.Where(d => d.Score >= options.NewTrackScore))
        {
            var track = new Track(new KalmanBoxFilter(d.Box), d.Score, frameNumber) { LastSeenTime = time, LastBox = d.Box };
            if (frameNumber == 1)
            {
                track.State = State.Tracked;
                track.Id = nextId++;
                matchedNow.Add(track);
            }

            tracks.Add(track);
        }

        tracks.RemoveAll(t => t.State == State.Lost && time - t.LastSeenTime > options.MaxLostSeconds);
        return matchedNow.Where(t => t.State == State.Tracked)
            .Select(t => new TrackedPerson(t.Id, t.LastBox, t.Score, true))
            .OrderBy(p => p.TrackId)
            .ToList();
    }

    /// <summary>Kalman predictions of the tracked people, for frames without detection (detect every k-th frame).</summary>
    public List<TrackedPerson> Predict(double time)
    {
        frameNumber++;
        foreach (var t in tracks)
        {
            t.Filter.Predict();
        }

        return tracks.Where(t => t.State == State.Tracked).Select(t => new TrackedPerson(t.Id, t.Filter.Box, t.Score, false)).OrderBy(p => p.TrackId).ToList();
    }

    private static (List<(Track, Detection)> Matches, List<Track> UnmatchedTracks, List<Detection> UnmatchedDetections) Associate(List<Track> pool, List<Detection> detections, float minIoU)
    {
        var cost = new double[pool.Count, detections.Count];
        for (var i = 0; i < pool.Count; i++)
        {
            var predicted = pool[i].Filter.Box;
            for (var j = 0; j < detections.Count; j++)
            {
                cost[i, j] = 1 - predicted.IoU(detections[j].Box);
            }
        }

        var assignment = LinearAssignment.Solve(cost, 1 - minIoU);
        var matches = assignment.Select(a => (pool[a.Row], detections[a.Column])).ToList();
        var usedTracks = assignment.Select(a => a.Row).ToHashSet();
        var usedDetections = assignment.Select(a => a.Column).ToHashSet();
        return (matches,
            pool.Where((_, i) => !usedTracks.Contains(i)).ToList(),
            detections.Where((_, j) => !usedDetections.Contains(j)).ToList());
    }
}
