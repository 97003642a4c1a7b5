namespace Pipeline.DuckDb;

/// <summary>An error reported by DuckDB, with its message.</summary>
public sealed class DuckDbException(string message) : Exception(message);
