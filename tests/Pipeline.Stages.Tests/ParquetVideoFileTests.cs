using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Sink;
using static Pipeline.Testing.ParquetQuery;

namespace Pipeline.Stages.Tests;

/// <summary>The Parquet files of <see cref="ParquetVideoWriter"/>, read by DuckDB (an independent reader) and by <see cref="ParquetVideoReader"/>.</summary>
public sealed class ParquetVideoFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("parquet-video-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static PoseRow Row(long frame, int track, float seed) => new(
        frame, frame * 0.04, track, new BoundingBox(seed, seed + 1, seed + 50.5f, seed + 120.25f), 0.875f,
        [.. Enumerable.Range(0, CocoKeypoints.Count).Select(k => new Keypoint(seed + k, seed - k * 0.5f, k / 17f))]);

    private async Task<string> WriteAsync(IEnumerable<PoseRow> rows, string name = "video.parquet")
    {
        var path = Path.Combine(directory, name);
        await ParquetVideoWriter.WriteAsync(path, "vid-1", "/videos/it's.mp4", rows, "movenet-thunder", new string('a', 64), "run-7");
        return path;
    }

    [Fact]
    public async Task TheFilesSchemaHasTheDocumentedNamesAndPhysicalTypes()
    {
        var path = await WriteAsync([Row(0, 1, 10)]);
        var schema = Rows($"SELECT name, type, converted_type FROM parquet_schema({Literal(path)}) WHERE type IS NOT NULL");
        Assert.Equal(PoseTableSchema.Columns, schema.Select(r => r[0]));
        string[] strings = ["video_id", "video_uri", "frame_name", "model", "weights_sha256", "run_id"];
        foreach (var column in schema)
        {
            var expected = column[0] switch
            {
                var s when strings.Contains(s) => "BYTE_ARRAY",
                "frame_index" => "INT64",
                "pts_seconds" => "DOUBLE",
                "track_id" => "INT32",
                _ => "FLOAT",
            };
            Assert.Equal((column[0], expected), (column[0], column[1]));
            if (expected == "BYTE_ARRAY")
            {
                Assert.Equal("UTF8", column[2]);
            }
        }

        Assert.Equal(["ZSTD"], Rows($"SELECT DISTINCT compression FROM parquet_metadata({Literal(path)})").Select(r => r[0]));
    }

    [Fact]
    public async Task RowsComeBackSortedByFrameThenTrackWithEveryValue()
    {
        PoseRow[] rows = [Row(5, 2, 30), Row(5, 1, 20), Row(0, 3, 10)];
        var path = await WriteAsync(rows);
        Assert.Equal([("0", "3"), ("5", "1"), ("5", "2")], Rows($"SELECT frame_index, track_id FROM {Read(path)}").Select(r => (r[0], r[1])));
        Assert.Equal(1, Long($"SELECT count(*) FROM {Read(path)} WHERE video_id = 'vid-1' AND video_uri = '/videos/it''s.mp4' AND frame_index = 0 AND abs(pts_seconds) < 1e-12 AND box_x2 = 60.5 AND box_y2 = 130.25 AND box_score = 0.875 AND right_ankle_x = 26 AND right_ankle_y = 2 AND model = 'movenet-thunder' AND run_id = 'run-7'"));

        var labels = await ParquetVideoReader.ReadAsync(path);
        Assert.Equal(("vid-1", "/videos/it's.mp4", "movenet-thunder", new string('a', 64)), (labels.VideoId, labels.VideoUri, labels.Model, labels.WeightsSha256));
        var expected = rows.OrderBy(r => r.FrameIndex).ThenBy(r => r.TrackId).ToList();
        Assert.Equal(expected.Count, labels.Rows.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].FrameIndex, expected[i].PresentationTime, expected[i].TrackId, expected[i].Box, expected[i].BoxScore), (labels.Rows[i].FrameIndex, labels.Rows[i].PresentationTime, labels.Rows[i].TrackId, labels.Rows[i].Box, labels.Rows[i].BoxScore));
            Assert.Equal(expected[i].Keypoints, labels.Rows[i].Keypoints);
        }

        Assert.Equal(3, await ParquetVideoReader.CountRowsAsync(path));
    }

    [Fact]
    public async Task LongVideosSpanSeveralRowGroupsAndAVideoWithoutPeopleIsAnEmptyFile()
    {
        var many = Enumerable.Range(0, ParquetVideoWriter.RowGroupSize + 5).Select(i => Row(i, 1, i % 100));
        var path = await WriteAsync(many, "long.parquet");
        Assert.Equal(2, Long($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata({Literal(path)})"));
        Assert.Equal(ParquetVideoWriter.RowGroupSize + 5, (await ParquetVideoReader.ReadAsync(path)).Rows.Count);

        var empty = await WriteAsync([], "empty.parquet");
        Assert.Equal(0, Long($"SELECT count(*) FROM {Read(empty)}"));
        Assert.Equal(PoseTableSchema.Columns, Rows($"SELECT column_name FROM (DESCRIBE SELECT * FROM {Read(empty)})").Select(r => r[0]));
        Assert.Empty((await ParquetVideoReader.ReadAsync(empty)).Rows);
        Assert.Empty(Directory.GetFiles(directory, ".*")); // no temporary file left behind
    }

    [Fact]
    public async Task AFileOfAnotherSchemaIsRefusedNamingIt()
    {
        var other = Path.Combine(directory, "other.parquet");
        Rows($"COPY (SELECT 1 AS a) TO {Literal(other)} (FORMAT parquet)");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ParquetVideoReader.ReadAsync(other));
        Assert.Contains(other, error.Message);
    }

    [Fact]
    public async Task FrameNamesAreKeptAndFilesWrittenBeforeThemStillRead()
    {
        PoseRow[] rows = [Row(0, 1, 10) with { FrameName = "000000.jpg" }, Row(1, 1, 11) with { FrameName = "000001.jpg" }];
        var path = await WriteAsync(rows);
        Assert.Equal(["000000.jpg", "000001.jpg"], Rows($"SELECT frame_name FROM {Read(path)} ORDER BY frame_index").Select(r => r[0]));
        Assert.Equal(["000000.jpg", "000001.jpg"], (await ParquetVideoReader.ReadAsync(path)).Rows.Select(r => r.FrameName));

        // A file of the schema before frame_name (written by DuckDB, all columns nullable) reads with "" names.
        var earlier = Path.Combine(directory, "earlier.parquet");
        Long($"COPY (SELECT * EXCLUDE (frame_name) FROM {Read(path)}) TO {Literal(earlier)} (FORMAT parquet)");
        var labels = await ParquetVideoReader.ReadAsync(earlier);
        Assert.Equal(["", ""], labels.Rows.Select(r => r.FrameName));
        Assert.Equal(rows.Select(r => (r.FrameIndex, r.TrackId, r.Box)), labels.Rows.Select(r => (r.FrameIndex, r.TrackId, r.Box)));
        Assert.Equal(rows.Select(r => r.Keypoints[16]), labels.Rows.Select(r => r.Keypoints[16]));
    }
}
