using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using Pipeline.Stages.Pose;

namespace Pipeline.Cli.Report;

/// <summary>One video's rows as the Parquet files hold them.</summary>
public sealed record VideoLabelSummary(string VideoId, string VideoUri, string Model, long Rows, long Tracks, long FramesWithPeople, long LastFrame, double MeanScore);

/// <summary>Keypoint scores of one joint, counted in ten bins of 0.1 (bin 9 includes 1.0).</summary>
public sealed record JointScoreHistogram(string Joint, long[] Counts);

/// <summary>People per frame, averaged over bins of <see cref="FramesPerBin"/> frames (frames without rows count as 0).</summary>
public sealed record PeopleOverTime(string VideoId, long FramesPerBin, long[] BinStartFrames, double[] People);

/// <summary>An unbroken run of frames in which a track has rows.</summary>
public sealed record TrackSegment(string VideoId, int TrackId, long FirstFrame, long LastFrame);

/// <summary>
/// A track's keypoint speed: the median over its consecutive frame pairs of the mean joint
/// displacement (joints scoring ≥ 0.3 in both frames) in box heights per second.
/// </summary>
public sealed record TrackJitter(string VideoId, int TrackId, long Pairs, double MedianSpeed);

/// <summary>A track and the frame where its mean keypoint score is lowest.</summary>
public sealed record WeakTrack(string VideoId, string VideoUri, int TrackId, long Rows, double MeanScore, long WorstFrame, float[] Box, float[] Keypoints);

/// <summary>
/// What the report shows of the labels, aggregated with DuckDB SQL over the run's Parquet files
/// (read_parquet on a list of local files: blob outputs are downloaded first, no DuckDB extension
/// is fetched at run time). Every query returns plain records, so the charts never see SQL.
/// </summary>
public sealed class LabelStatistics : IDisposable
{
    /// <summary>Joints count toward speed only when both frames score at least this (MoveNet's usual visibility cut).</summary>
    public const float SpeedScoreFloor = 0.3f;

    private readonly DuckDBConnection connection;

    public LabelStatistics(IReadOnlyList<string> parquetFiles)
    {
        connection = new DuckDBConnection("Data Source=:memory:");
        try
        {
            connection.Open();
            var files = string.Join(", ", parquetFiles.Select(Literal));
            var meanScore = string.Join(" + ", CocoKeypoints.Names.Select(n => $"{n}_score"));
            // By name: an output resumed across versions mixes files with and without frame_name.
            Execute($"CREATE VIEW labels AS SELECT *, ({meanScore}) / {CocoKeypoints.Count} AS mean_score FROM read_parquet([{files}], union_by_name = true)");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose() => connection.Dispose();

    public IReadOnlyList<VideoLabelSummary> Videos() => Query(
        """
        SELECT video_id, any_value(video_uri), any_value(model), count(*), count(DISTINCT track_id),
               count(DISTINCT frame_index), max(frame_index), avg(mean_score)
        FROM labels GROUP BY video_id ORDER BY video_id
        """,
        r => new VideoLabelSummary(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetDouble(7)));

    public IReadOnlyList<JointScoreHistogram> JointScores()
    {
        var counts = CocoKeypoints.Names.ToDictionary(n => n, _ => new long[10]);
        var columns = string.Join(", ", CocoKeypoints.Names.Select(n => $"{n}_score AS {n}"));
        foreach (var (joint, bin, count) in Query(
            $"""
            SELECT joint, least(floor(score * 10), 9)::INTEGER AS bin, count(*)
            FROM (UNPIVOT (SELECT {columns} FROM labels) ON COLUMNS(*) INTO NAME joint VALUE score)
            GROUP BY ALL
            """,
            r => (r.GetString(0), r.GetInt32(1), r.GetInt64(2))))
        {
            counts[joint][Math.Clamp(bin, 0, 9)] += count;
        }

        return [.. CocoKeypoints.Names.Select(n => new JointScoreHistogram(n, counts[n]))];
    }

    /// <param name="frameCounts">Each video's decoded frames (from its manifest; else its last labelled frame + 1).</param>
    public PeopleOverTime PeoplePerFrame(string videoId, long frameCounts, int maxPoints)
    {
        var step = Math.Max(1, (frameCounts + maxPoints - 1) / maxPoints);
        var bins = (int)((frameCounts + step - 1) / step);
        var people = new double[bins];
        foreach (var (bin, rows) in Query(
            $"SELECT frame_index // {step} AS bin, count(*) FROM labels WHERE video_id = {Literal(videoId)} GROUP BY bin",
            r => (r.GetInt64(0), r.GetInt64(1))))
        {
            if (bin < bins)
            {
                var framesInBin = Math.Min(step, frameCounts - (bin * step));
                people[bin] = (double)rows / framesInBin;
            }
        }

        return new PeopleOverTime(videoId, step, [.. Enumerable.Range(0, bins).Select(b => b * step)], people);
    }

    public IReadOnlyList<TrackSegment> TrackSegments(string videoId) => Query(
        $"""
        SELECT track_id, min(frame_index), max(frame_index)
        FROM (SELECT track_id, frame_index, frame_index - row_number() OVER (PARTITION BY track_id ORDER BY frame_index) AS island
              FROM labels WHERE video_id = {Literal(videoId)})
        GROUP BY track_id, island ORDER BY track_id, 2
        """,
        r => new TrackSegment(videoId, r.GetInt32(0), r.GetInt64(1), r.GetInt64(2)));

    public IReadOnlyList<TrackJitter> Jitter()
    {
        // For each joint: its displacement from the track's previous frame when that frame is the
        // one just before and the joint scores ≥ the floor in both, else null.
        var window = "OVER (PARTITION BY video_id, track_id ORDER BY frame_index)";
        var floor = SpeedScoreFloor.ToString(CultureInfo.InvariantCulture);
        var displacements = CocoKeypoints.Names.Select(n =>
            $"CASE WHEN {n}_score >= {floor} AND lag({n}_score) {window} >= {floor} THEN sqrt(pow({n}_x - lag({n}_x) {window}, 2) + pow({n}_y - lag({n}_y) {window}, 2)) END");
        var sum = string.Join(" + ", displacements.Select(d => $"coalesce({d}, 0)"));
        var count = string.Join(" + ", displacements.Select(d => $"CASE WHEN {d} IS NULL THEN 0 ELSE 1 END"));
        return Query(
            $"""
            WITH pairs AS (
                SELECT video_id, track_id, frame_index - lag(frame_index) {window} AS gap,
                       pts_seconds - lag(pts_seconds) {window} AS dt, box_y2 - box_y1 AS height,
                       ({sum}) AS moved, ({count}) AS joints
                FROM labels)
            SELECT video_id, track_id, count(*), median(moved / joints / height / dt)
            FROM pairs WHERE gap = 1 AND joints > 0 AND height > 0 AND dt > 0
            GROUP BY video_id, track_id ORDER BY video_id, track_id
            """,
            r => new TrackJitter(r.GetString(0), r.GetInt32(1), r.GetInt64(2), r.GetDouble(3)));
    }

    /// <summary>The <paramref name="count"/> tracks of at least <paramref name="minRows"/> rows with the lowest mean keypoint score, lowest first.</summary>
    public IReadOnlyList<WeakTrack> WeakestTracks(int count, int minRows)
    {
        var box = "box_x1, box_y1, box_x2, box_y2";
        var keypoints = string.Join(", ", CocoKeypoints.Names.SelectMany(n => new[] { $"{n}_x", $"{n}_y", $"{n}_score" }));
        return Query(
            $"""
            WITH tracks AS (
                SELECT video_id, track_id, count(*) AS n, avg(mean_score) AS score, arg_min(frame_index, mean_score) AS worst
                FROM labels GROUP BY video_id, track_id HAVING count(*) >= {minRows}
                ORDER BY score, video_id, track_id LIMIT {count})
            SELECT t.video_id, l.video_uri, t.track_id, t.n, t.score, t.worst, {box}, {keypoints}
            FROM tracks t JOIN labels l ON l.video_id = t.video_id AND l.track_id = t.track_id AND l.frame_index = t.worst
            ORDER BY t.score, t.video_id, t.track_id
            """,
            r => new WeakTrack(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3), r.GetDouble(4), r.GetInt64(5),
                [.. Enumerable.Range(6, 4).Select(r.GetFloat)],
                [.. Enumerable.Range(10, 3 * CocoKeypoints.Count).Select(r.GetFloat)]));
    }

    private void Execute(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<T> Query<T>(string sql, Func<DbDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
