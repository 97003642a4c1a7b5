using Parquet.Schema;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Sink;

/// <summary>
/// The documented schema of the output (README, "Parquet schema"): one row per tracked person per
/// frame. video_id, video_uri: string; frame_index: int64; pts_seconds: double; frame_name: string
/// (the image file of a frame-folder input, "" for videos); track_id: int32;
/// box_x1, box_y1, box_x2, box_y2, box_score: float; for each COCO keypoint name: name_x, name_y
/// (frame pixels), name_score: float; model, weights_sha256, run_id: string. No column holds nulls.
/// </summary>
public static class PoseTableSchema
{
    public static readonly DataField VideoId = new DataField<string>("video_id", nullable: false);
    public static readonly DataField VideoUri = new DataField<string>("video_uri", nullable: false);
    public static readonly DataField FrameIndex = new DataField<long>("frame_index");
    public static readonly DataField PtsSeconds = new DataField<double>("pts_seconds");
    public static readonly DataField FrameName = new DataField<string>("frame_name", nullable: false);
    public static readonly DataField TrackId = new DataField<int>("track_id");
    public static readonly DataField[] Box = [.. new[] { "box_x1", "box_y1", "box_x2", "box_y2", "box_score" }.Select(n => new DataField<float>(n))];

    /// <summary>x, y, score for each keypoint, in COCO order.</summary>
    public static readonly DataField[] Keypoints = [.. CocoKeypoints.Names.SelectMany(n => new[] { $"{n}_x", $"{n}_y", $"{n}_score" }).Select(n => new DataField<float>(n))];

    public static readonly DataField Model = new DataField<string>("model", nullable: false);
    public static readonly DataField WeightsSha256 = new DataField<string>("weights_sha256", nullable: false);
    public static readonly DataField RunId = new DataField<string>("run_id", nullable: false);

    public static readonly ParquetSchema Schema = new([VideoId, VideoUri, FrameIndex, PtsSeconds, FrameName, TrackId, .. Box, .. Keypoints, Model, WeightsSha256, RunId]);

    /// <summary>Column names in file order.</summary>
    public static readonly string[] Columns = [.. Schema.DataFields.Select(f => f.Name)];

    /// <summary>The columns of files written before frame_name existed (read as frame_name ""), so earlier outputs stay readable.</summary>
    public static readonly string[] ColumnsBeforeFrameNames = [.. Columns.Where(c => c != "frame_name")];
}
