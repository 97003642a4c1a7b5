using System.Globalization;
using DuckDB.NET.Data;
using Xunit;

namespace Pipeline.Testing;

/// <summary>SQL over Parquet files with DuckDB (DuckDB.NET): an independent reader of what the product writes.</summary>
public static class ParquetQuery
{
    /// <summary>Every row of <paramref name="sql"/>'s result, values as invariant-culture text (null stays null).</summary>
    public static List<string?[]> Rows(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static long Long(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>A table expression reading one Parquet file.</summary>
    public static string Read(string path) => $"read_parquet({Literal(path)})";

    /// <summary>A SQL string literal.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

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

    private static DuckDBConnection Open()
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        return connection;
    }
}
