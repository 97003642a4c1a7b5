using System.Runtime.InteropServices;
using static Pipeline.DuckDb.NativeMethods;

namespace Pipeline.DuckDb;

/// <summary>Appends rows to a table, value by value in column order (DuckDB's fastest row path).</summary>
public sealed class DuckDbAppender : IDisposable
{
    private IntPtr appender;

    internal DuckDbAppender(DuckDbConnection connection, string table)
    {
        if (duckdb_appender_create(connection.Handle, null, table, out appender) != 0)
        {
            var message = Error();
            duckdb_appender_destroy(ref appender);
            throw new DuckDbException($"DuckDB: cannot append to {table}: {message}");
        }
    }

    private string Error() => Marshal.PtrToStringUTF8(duckdb_appender_error(appender)) ?? "unknown error";

    private DuckDbAppender Check(int state) => state == 0 ? this : throw new DuckDbException($"DuckDB appender: {Error()}");

    public DuckDbAppender Append(int value) => Check(duckdb_append_int32(appender, value));

    public DuckDbAppender Append(long value) => Check(duckdb_append_int64(appender, value));

    public DuckDbAppender Append(float value) => Check(duckdb_append_float(appender, value));

    public DuckDbAppender Append(double value) => Check(duckdb_append_double(appender, value));

    public DuckDbAppender Append(string? value) => Check(value is null ? duckdb_append_null(appender) : duckdb_append_varchar(appender, value));

    public DuckDbAppender AppendNull() => Check(duckdb_append_null(appender));

    public void EndRow() => Check(duckdb_appender_end_row(appender));

    public void Flush() => Check(duckdb_appender_flush(appender));

    public void Dispose()
    {
        if (appender != IntPtr.Zero)
        {
            duckdb_appender_destroy(ref appender);
        }
    }
}
