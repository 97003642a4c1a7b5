using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.DuckDb;

/// <summary>DuckDB's C API result struct (opaque to us; passed by pointer).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbResult
{
    public ulong ColumnCount;
    public ulong RowCount;
    public ulong RowsChanged;
    public IntPtr Columns;
    public IntPtr ErrorMessage;
    public IntPtr InternalData;
}

/// <summary>[LibraryImport] declarations for the parts of duckdb.h this binding uses (0 = DuckDBSuccess).</summary>
internal static unsafe partial class NativeMethods
{
    private const string Library = "duckdb";

    // The resolver must be registered before the first call into libduckdb.
#pragma warning disable CA2255
    [ModuleInitializer]
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);
#pragma warning restore CA2255

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        var directory = Environment.GetEnvironmentVariable("PIPELINE_NATIVE_DIR") is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;
        var path = Path.Combine(directory, "libduckdb.so");
        if (!File.Exists(path))
        {
            throw new DllNotFoundException($"libduckdb.so was not found in {directory}. Run './run.sh setup' (it installs the pinned DuckDB library).");
        }

        return NativeLibrary.Load(path);
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int duckdb_open(string? path, out IntPtr database);
    [LibraryImport(Library)] internal static partial void duckdb_close(ref IntPtr database);
    [LibraryImport(Library)] internal static partial int duckdb_connect(IntPtr database, out IntPtr connection);
    [LibraryImport(Library)] internal static partial void duckdb_disconnect(ref IntPtr connection);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int duckdb_query(IntPtr connection, string query, DuckDbResult* result);
    [LibraryImport(Library)] internal static partial IntPtr duckdb_result_error(DuckDbResult* result);
    [LibraryImport(Library)] internal static partial void duckdb_destroy_result(DuckDbResult* result);
    [LibraryImport(Library)] internal static partial ulong duckdb_row_count(DuckDbResult* result);
    [LibraryImport(Library)] internal static partial ulong duckdb_column_count(DuckDbResult* result);
    [LibraryImport(Library)] internal static partial IntPtr duckdb_column_name(DuckDbResult* result, ulong column);
    [LibraryImport(Library)] internal static partial IntPtr duckdb_value_varchar(DuckDbResult* result, ulong column, ulong row);
    [LibraryImport(Library)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool duckdb_value_is_null(DuckDbResult* result, ulong column, ulong row);
    [LibraryImport(Library)] internal static partial void duckdb_free(IntPtr pointer);
    [LibraryImport(Library)] internal static partial IntPtr duckdb_library_version();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int duckdb_appender_create(IntPtr connection, string? schema, string table, out IntPtr appender);
    [LibraryImport(Library)] internal static partial IntPtr duckdb_appender_error(IntPtr appender);
    [LibraryImport(Library)] internal static partial int duckdb_appender_flush(IntPtr appender);
    [LibraryImport(Library)] internal static partial int duckdb_appender_destroy(ref IntPtr appender);
    [LibraryImport(Library)] internal static partial int duckdb_appender_end_row(IntPtr appender);
    [LibraryImport(Library)] internal static partial int duckdb_append_int32(IntPtr appender, int value);
    [LibraryImport(Library)] internal static partial int duckdb_append_int64(IntPtr appender, long value);
    [LibraryImport(Library)] internal static partial int duckdb_append_float(IntPtr appender, float value);
    [LibraryImport(Library)] internal static partial int duckdb_append_double(IntPtr appender, double value);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int duckdb_append_varchar(IntPtr appender, string value);
    [LibraryImport(Library)] internal static partial int duckdb_append_null(IntPtr appender);
}
