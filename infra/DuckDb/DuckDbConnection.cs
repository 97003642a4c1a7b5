using System.Runtime.InteropServices;
using static Pipeline.DuckDb.NativeMethods;

namespace Pipeline.DuckDb;

/// <summary>
/// An embedded DuckDB database (in memory unless a path is given) with one connection. Not
/// thread-safe: use one instance per thread or per video.
/// </summary>
public sealed unsafe class DuckDbConnection : IDisposable
{
    private IntPtr database;
    private IntPtr connection;

    public DuckDbConnection(string? path = null)
    {
        if (duckdb_open(path, out database) != 0)
        {
            throw new DuckDbException($"cannot open DuckDB database {path ?? "(in memory)"}");
        }

        if (duckdb_connect(database, out connection) != 0)
        {
            duckdb_close(ref database);
            throw new DuckDbException("cannot connect to DuckDB");
        }
    }

    public static string LibraryVersion => Marshal.PtrToStringUTF8(duckdb_library_version()) ?? "unknown";

    internal IntPtr Handle => connection != IntPtr.Zero ? connection : throw new ObjectDisposedException(nameof(DuckDbConnection));

    /// <summary>Runs a statement, throwing DuckDB's message on failure.</summary>
    public void Execute(string sql)
    {
        DuckDbResult result;
        var state = duckdb_query(Handle, sql, &result);
        try
        {
            ThrowIfFailed(state, &result, sql);
        }
        finally
        {
            duckdb_destroy_result(&result);
        }
    }

    /// <summary>Runs a query and returns its rows as strings (null for SQL NULL), with the column names.</summary>
    public (string[] Columns, List<string?[]> Rows) Query(string sql)
    {
        DuckDbResult result;
        var state = duckdb_query(Handle, sql, &result);
        try
        {
            ThrowIfFailed(state, &result, sql);
            var columns = (int)duckdb_column_count(&result);
            var names = new string[columns];
            for (var c = 0; c < columns; c++)
            {
                names[c] = Marshal.PtrToStringUTF8(duckdb_column_name(&result, (ulong)c)) ?? string.Empty;
            }

            var rows = new List<string?[]>();
            var count = duckdb_row_count(&result);
            for (ulong r = 0; r < count; r++)
            {
                var row = new string?[columns];
                for (var c = 0; c < columns; c++)
                {
                    if (duckdb_value_is_null(&result, (ulong)c, r))
                    {
                        continue;
                    }

                    var text = duckdb_value_varchar(&result, (ulong)c, r);
                    row[c] = Marshal.PtrToStringUTF8(text);
                    duckdb_free(text);
                }

                rows.Add(row);
            }

            return (names, rows);
        }
        finally
        {
            duckdb_destroy_result(&result);
        }
    }

    /// <summary>The single value of a one-row, one-column query.</summary>
    public string? Scalar(string sql) => Query(sql).Rows.Single()[0];

    public DuckDbAppender CreateAppender(string table) => new(this, table);

    private static void ThrowIfFailed(int state, DuckDbResult* result, string sql)
    {
        if (state != 0)
        {
            var message = Marshal.PtrToStringUTF8(duckdb_result_error(result)) ?? "unknown error";
            throw new DuckDbException($"DuckDB: {message} (in: {(sql.Length > 200 ? sql[..200] + "…" : sql)})");
        }
    }

    public void Dispose()
    {
        if (connection != IntPtr.Zero)
        {
            duckdb_disconnect(ref connection);
        }

        if (database != IntPtr.Zero)
        {
            duckdb_close(ref database);
        }
    }

    /// <summary>Quotes a string literal for SQL.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
