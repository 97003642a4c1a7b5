using Parquet;

namespace Pipeline.Stages.Sink;

/// <summary>
/// The pose-label files an input names (one Parquet file, or a folder of them), each checked from
/// its footer to be Parquet of <see cref="PoseTableSchema"/> before anything reads it, so `export`
/// and `report` refuse a wrong input with one line naming the file instead of failing half-way.
/// </summary>
public static class PoseLabelFiles
{
    /// <exception cref="FileNotFoundException">The input does not exist.</exception>
    /// <exception cref="InvalidDataException">No label file in the folder, a file that is not Parquet, or one of another schema.</exception>
    public static async Task<IReadOnlyList<string>> ResolveAsync(string input, CancellationToken cancellationToken = default)
    {
        string[] files;
        if (Directory.Exists(input))
        {
            files = [.. InFolder(input)];
            if (files.Length == 0)
            {
                throw new InvalidDataException($"{input}: no .parquet files in this folder");
            }
        }
        else if (File.Exists(input))
        {
            files = [input];
        }
        else
        {
            throw new FileNotFoundException($"{input}: no such file or folder", input);
        }

        foreach (var file in files)
        {
            await CheckAsync(file, cancellationToken);
        }

        return files;
    }

    /// <summary>The committed label files directly in a folder, by name (hidden ones are the sink's temporaries of videos still being written).</summary>
    public static IEnumerable<string> InFolder(string folder) =>
        Directory.EnumerateFiles(folder, "*.parquet").Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal);

    /// <summary>Checks that <paramref name="path"/> is a Parquet file with the pose-label columns (reads only the footer).</summary>
    public static async Task CheckAsync(string path, CancellationToken cancellationToken = default)
    {
        string[] columns;
        try
        {
            await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
            columns = [.. reader.Schema.DataFields.Select(f => f.Name)];
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or NotSupportedException && e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a Parquet file ({e.Message})", e);
        }

        if (!columns.SequenceEqual(PoseTableSchema.Columns) && !columns.SequenceEqual(PoseTableSchema.ColumnsBeforeFrameNames))
        {
            var missing = PoseTableSchema.Columns.Except(columns).Take(3).ToList();
            var detail = missing.Count > 0 ? $"lacks {string.Join(", ", missing)}" : "has its columns in another order or extra ones";
            throw new InvalidDataException($"{path}: a Parquet file of another schema, not pose labels ({columns.Length} columns; it {detail})");
        }
    }
}
