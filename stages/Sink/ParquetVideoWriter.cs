using System.IO.Compression;
using Parquet;
using Parquet.Schema;

namespace Pipeline.Stages.Sink;

/// <summary>
/// Writes one video's rows (<see cref="PoseTableSchema"/>, sorted by frame then track) to Parquet
/// with zstd, through Parquet.Net's async writer, to a hidden temporary name in the same folder that
/// is flushed to disk and renamed into place: a final name only ever holds a complete file.
/// </summary>
public static class ParquetVideoWriter
{
    /// <summary>Rows per row group: bounds the writer's column buffers on long videos.</summary>
    public const int RowGroupSize = 100_000;

    private static readonly ParquetOptions Options = new() { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = CompressionLevel.Optimal };

    /// <summary>Writes and commits <paramref name="finalPath"/>; returns the number of rows.</summary>
    public static async Task<long> WriteAsync(string finalPath, string videoId, string videoUri, IEnumerable<PoseRow> rows, string model, string weightsHash, string runId, CancellationToken cancellationToken = default)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(finalPath))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(finalPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var sorted = rows.OrderBy(r => r.FrameIndex).ThenBy(r => r.TrackId).ToList();
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await using (var writer = await ParquetWriter.CreateAsync(PoseTableSchema.Schema, file, Options, cancellationToken: cancellationToken))
                {
                    foreach (var chunk in sorted.Chunk(RowGroupSize))
                    {
                        await WriteRowGroupAsync(writer, chunk, videoId, videoUri, model, weightsHash, runId, cancellationToken);
                    }
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, finalPath, overwrite: true);
            return sorted.Count;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static async Task WriteRowGroupAsync(ParquetWriter writer, PoseRow[] rows, string videoId, string videoUri, string model, string weightsHash, string runId, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        Task Same(DataField field, string value) => group.WriteAsync(field, Enumerable.Repeat<string?>(value, rows.Length).ToArray());
        Task Floats(DataField field, Func<PoseRow, float> value) => group.WriteAsync<float>(field, rows.Select(value).ToArray(), cancellationToken: cancellationToken);

        // Columns go in schema order.
        await Same(PoseTableSchema.VideoId, videoId);
        await Same(PoseTableSchema.VideoUri, videoUri);
        await group.WriteAsync<long>(PoseTableSchema.FrameIndex, rows.Select(r => r.FrameIndex).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync<double>(PoseTableSchema.PtsSeconds, rows.Select(r => r.PresentationTime).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync(PoseTableSchema.FrameName, rows.Select(r => r.FrameName).ToArray<string?>());
        await group.WriteAsync<int>(PoseTableSchema.TrackId, rows.Select(r => r.TrackId).ToArray(), cancellationToken: cancellationToken);
        await Floats(PoseTableSchema.Box[0], r => r.Box.X1);
        await Floats(PoseTableSchema.Box[1], r => r.Box.Y1);
        await Floats(PoseTableSchema.Box[2], r => r.Box.X2);
        await Floats(PoseTableSchema.Box[3], r => r.Box.Y2);
        await Floats(PoseTableSchema.Box[4], r => r.BoxScore);
        for (var i = 0; i < PoseTableSchema.Keypoints.Length; i++)
        {
            var (keypoint, part) = (i / 3, i % 3);
            await Floats(PoseTableSchema.Keypoints[i], r => part switch { 0 => r.Keypoints[keypoint].X, 1 => r.Keypoints[keypoint].Y, _ => r.Keypoints[keypoint].Score });
        }

        await Same(PoseTableSchema.Model, model);
        await Same(PoseTableSchema.WeightsSha256, weightsHash);
        await Same(PoseTableSchema.RunId, runId);
    }
}
