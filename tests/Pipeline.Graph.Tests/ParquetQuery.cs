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
}
