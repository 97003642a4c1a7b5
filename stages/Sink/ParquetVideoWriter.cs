using System.Globalization;
using System.Text;
using Pipeline.DuckDb;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Sink;

/// <summary>
/// Writes one video's rows to Parquet (zstd) through DuckDB, to a temporary name in the same folder
/// that is flushed to disk and renamed into place, so a final name only ever holds a complete file.
/// Schema (one row per tracked person per frame, sorted by frame then track):
/// video_id, video_uri VARCHAR; frame_index BIGINT; pts_seconds DOUBLE; track_id INTEGER;
/// box_x1, box_y1, box_x2, box_y2, box_score FLOAT; for each COCO keypoint name:
/// name_x, name_y (frame pixels), name_score FLOAT; model, weights_sha256, run_id VARCHAR.
/// </summary>
public static class ParquetVideoWriter
{
    public static readonly string[] Columns =
    [
        "video_id", "video_uri", "frame_index", "pts_seconds", "track_id", "box_x1", "box_y1", "box_x2", "box_y2", "box_score",
        .. CocoKeypoints.Names.SelectMany(n => new[] { $"{n}_x", $"{n}_y", $"{n}_score" }),
        "model", "weights_sha256", "run_id",
    ];

    private static string CreateTable()
    {
        var sql = new StringBuilder("CREATE TABLE poses (video_id VARCHAR, video_uri VARCHAR, frame_index BIGINT, pts_seconds DOUBLE, track_id INTEGER, box_x1 FLOAT, box_y1 FLOAT, box_x2 FLOAT, box_y2 FLOAT, box_score FLOAT");
        foreach (var name in CocoKeypoints.Names)
        {
            sql.Append(CultureInfo.InvariantCulture, $", {name}_x FLOAT, {name}_y FLOAT, {name}_score FLOAT");
        }

        return sql.Append(", model VARCHAR, weights_sha256 VARCHAR, run_id VARCHAR)").ToString();
    }

    /// <summary>Writes and commits <paramref name="finalPath"/>; returns the number of rows.</summary>
    public static long Write(string finalPath, string videoId, string videoUri, IEnumerable<PoseRow> rows, string model, string weightsHash, string runId)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(finalPath))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(finalPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        long count = 0;
        try
        {
            using (var db = new DuckDbConnection())
            {
                db.Execute(CreateTable());
                using (var appender = db.CreateAppender("poses"))
                {
                    foreach (var row in rows.OrderBy(r => r.FrameIndex).ThenBy(r => r.TrackId))
                    {
                        appender.Append(videoId).Append(videoUri).Append(row.FrameIndex).Append(row.PresentationTime).Append(row.TrackId)
                            .Append(row.Box.X1).Append(row.Box.Y1).Append(row.Box.X2).Append(row.Box.Y2).Append(row.BoxScore);
                        foreach (var k in row.Keypoints)
                        {
                            appender.Append(k.X).Append(k.Y).Append(k.Score);
                        }

                        appender.Append(model).Append(weightsHash).Append(runId).EndRow();
                        count++;
                    }

                    appender.Flush();
                }

                db.Execute($"COPY poses TO {DuckDbConnection.Literal(temporary)} (FORMAT parquet, COMPRESSION zstd)");
            }

            using (var file = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
            {
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, finalPath, overwrite: true);
            return count;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
