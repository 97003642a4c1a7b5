namespace Pipeline.Cli.Commands;

/// <summary>Checks an output folder before any work, so an unwritable one is refused at once rather than after reading the inputs.</summary>
internal static class OutputFolder
{
    /// <exception cref="IOException">The folder cannot be created or written (the message names it).</exception>
    public static void Prepare(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{folder}: cannot write here ({e.Message})", e);
        }
    }
}
