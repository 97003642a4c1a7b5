namespace Pipeline.Cli;

/// <summary>Finds folders of this repository (scripts the CLI runs) from $PIPELINE_ROOT or above the app.</summary>
internal static class RepositoryPaths
{
    public static string Find(string relative)
    {
        if (Environment.GetEnvironmentVariable("PIPELINE_ROOT") is { Length: > 0 } root && Directory.Exists(Path.Combine(root, relative)))
        {
            return Path.Combine(root, relative);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"cannot find '{relative}' of the repository above {AppContext.BaseDirectory}: set PIPELINE_ROOT");
    }
}
