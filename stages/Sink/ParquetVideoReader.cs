using Parquet;
using Parquet.Schema;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Sink;

/// <summary>One video's labels as read back from its Parquet file.</summary>
public sealed record VideoLabels(string VideoId, string VideoUri, string Model, string WeightsSha256, IReadOnlyList<PoseRow> Rows);

/// <summary>Reads files written by <see cref="ParquetVideoWriter"/> (Parquet.Net), checking their schema.</summary>
public static class ParquetVideoReader
{
    /// <summary>Rows in the file, from its footer (no data read).</summary>
    public static async Task<long> CountRowsAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
        return reader.Metadata?.NumRows ?? 0;
    }

    public static async Task<VideoLabels> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await PoseLabelFiles.CheckAsync(path, cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);

        var rows = new List<PoseRow>();
        string videoId = "", videoUri = "", model = "", weights = "";
        var fields = reader.Schema.DataFields;
        var names = fields.Select(f => f.Name).ToArray();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = (int)group.RowCount;
            // Files of earlier versions (written by DuckDB) declare every column nullable; ours do not.
            async Task<T[]> Values<T>(DataField field)
                where T : struct
            {
                if (field.IsNullable)
                {
                    var nullable = new T?[n];
                    await group.ReadAsync<T>(field, nullable, cancellationToken: cancellationToken);
                    return [.. nullable.Select(v => v ?? default)];
                }

                var values = new T[n];
                await group.ReadAsync<T>(field, values, cancellationToken: cancellationToken);
                return values;
            }

            async Task<string[]> Strings(DataField field)
            {
                var values = new string?[n];
                await group.ReadAsync(field, values, cancellationToken: cancellationToken);
                return [.. values.Select(v => v ?? "")];
            }

            async Task<string> First(string name) => (await Strings(fields[Column(name)])) is { Length: > 0 } all ? all[0] : "";

            // By name: files written before frame_name existed lack that column (their rows read as "").
            int Column(string name) => Array.FindIndex(names, c => c == name);
            videoId = await First("video_id");
            videoUri = await First("video_uri");
            var frames = await Values<long>(fields[Column("frame_index")]);
            var times = await Values<double>(fields[Column("pts_seconds")]);
            var frameNames = Column("frame_name") is >= 0 and var nameColumn ? await Strings(fields[nameColumn]) : new string[n];
            var tracks = await Values<int>(fields[Column("track_id")]);
            var floats = new float[5 + PoseTableSchema.Keypoints.Length][];
            var firstFloat = Column("box_x1");
            for (var c = 0; c < floats.Length; c++)
            {
                floats[c] = await Values<float>(fields[firstFloat + c]);
            }

            model = await First("model");
            weights = await First("weights_sha256");
            for (var i = 0; i < n; i++)
            {
                var keypoints = new Keypoint[CocoKeypoints.Count];
                for (var k = 0; k < keypoints.Length; k++)
                {
                    keypoints[k] = new Keypoint(floats[5 + (3 * k)][i], floats[6 + (3 * k)][i], floats[7 + (3 * k)][i]);
                }

                rows.Add(new PoseRow(frames[i], times[i], tracks[i], new BoundingBox(floats[0][i], floats[1][i], floats[2][i], floats[3][i]), floats[4][i], keypoints, frameNames[i] ?? ""));
            }
        }

        return new VideoLabels(videoId, videoUri, model, weights, rows);
    }
}
