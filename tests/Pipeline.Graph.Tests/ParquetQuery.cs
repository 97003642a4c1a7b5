using System.Globalization;
using Pipeline.DuckDb;

namespace Pipeline.Graph.Tests;

internal static class ParquetQuery
{
    public static List<string?[]> Rows(string sql)
    {
        using var db = new DuckDbConnection();
        return db.Query(sql).Rows;
    }

    public static long Long(string sql)
    {
        using var db = new DuckDbConnection();
        return long.Parse(db.Scalar(sql)!, CultureInfo.InvariantCulture);
    }

    public static string Read(string path) => $"read_parquet({DuckDbConnection.Literal(path)})";

    /// <summary>Asserts that every file in <paramref name="expectedFolder"/> is in <paramref name="actualFolder"/> too, holding the same rows (every column but run_id and <paramref name="alsoIgnore"/>), and no other file is.</summary>
    public static void AssertSameFiles(string expectedFolder, string actualFolder, int expectedCount, params string[] alsoIgnore)
    {
        var expected = Directory.GetFiles(expectedFolder, "*.parquet").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(expectedCount, expected.Count);
        Assert.Equal(expected, Directory.GetFiles(actualFolder, "*.parquet").Select(Path.GetFileName).Order());
        var ignored = string.Join(", ", alsoIgnore.Prepend("run_id"));
        foreach (var name in expected)
        {
            var a = Read(Path.Combine(expectedFolder, name!));
            var b = Read(Path.Combine(actualFolder, name!));
            Assert.Equal(Long($"SELECT count(*) FROM {a}"), Long($"SELECT count(*) FROM {b}"));
            Assert.Equal(0, Long($"SELECT count(*) FROM (SELECT * EXCLUDE ({ignored}) FROM {a} EXCEPT ALL SELECT * EXCLUDE ({ignored}) FROM {b})"));
            Assert.Equal(0, Long($"SELECT count(*) FROM (SELECT * EXCLUDE ({ignored}) FROM {b} EXCEPT ALL SELECT * EXCLUDE ({ignored}) FROM {a})"));
        }
    }
}
