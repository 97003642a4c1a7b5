using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipeline.Graph.Inputs;

/// <summary>
/// Turns the command line's inputs into video tasks: files, directories (searched recursively,
/// filtered by glob patterns), and manifests (.txt: one path or URI per line; .jsonl: objects with
/// "uri" and optional "id"). Each video gets a stable id: the manifest's id, or the file name stem
/// plus a hash of its full path, so the same input always lands in the same output file.
/// </summary>
public static partial class InputResolver
{
    public static readonly string[] DefaultPatterns = ["*.mp4", "*.mkv", "*.avi", "*.webm", "*.mov", "*.mpg", "*.mpeg", "*.ogv", "*.m4v", "*.ts"];

    public static List<VideoTask> Resolve(IEnumerable<string> inputs, IReadOnlyList<string>? patterns = null)
    {
        var globs = (patterns is { Count: > 0 } ? patterns : DefaultPatterns).Select(GlobToRegex).ToList();
        var tasks = new List<VideoTask>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                tasks.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => globs.Any(g => g.IsMatch(Path.GetFileName(f))))
                    .Order(StringComparer.Ordinal)
                    .Select(f => ForFile(Path.GetFullPath(f))));
            }
            else if (input.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || input.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || input.EndsWith(".manifest", StringComparison.OrdinalIgnoreCase))
            {
                tasks.AddRange(ReadManifest(input));
            }
            else
            {
                // Missing or unreadable files still become tasks: they are reported as failed videos.
                tasks.Add(ForFile(Path.GetFullPath(input)));
            }
        }

        var duplicate = tasks.GroupBy(t => t.VideoId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"two inputs have the same video id '{duplicate.Key}': {string.Join(", ", duplicate.Select(t => t.Uri))}");
        }

        return tasks;
    }

    public static VideoTask ForFile(string fullPath, string? id = null) => new(id ?? StableId(fullPath), fullPath, fullPath);

    /// <summary>"stem-xxxxxxxxxxxx": readable, and unique per full path or URI.</summary>
    public static string StableId(string uri)
    {
        var stem = Path.GetFileNameWithoutExtension(uri);
        var safe = SafeCharacters().Replace(stem, "_");
        if (safe.Length > 40)
        {
            safe = safe[..40];
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uri)))[..12];
        return $"{safe}-{hash}";
    }

    private static IEnumerable<VideoTask> ReadManifest(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"manifest {path} not found", path);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string uri;
            string? id = null;
            if (line.StartsWith('{'))
            {
                try
                {
                    using var json = JsonDocument.Parse(line);
                    uri = json.RootElement.GetProperty("uri").GetString() ?? throw new FormatException("uri is null");
                    id = json.RootElement.TryGetProperty("id", out var i) ? i.ToString() : null;
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
                {
                    throw new FormatException($"{path}:{lineNumber}: expected a JSON object with \"uri\" (and optional \"id\"): {e.Message}", e);
                }
            }
            else
            {
                uri = line;
            }

            if (id is not null && (id.Length == 0 || SafeCharacters().IsMatch(id)))
            {
                throw new FormatException($"{path}:{lineNumber}: id '{id}' may only use letters, digits, '.', '_' and '-'");
            }

            var local = uri.StartsWith("file://", StringComparison.Ordinal) ? new Uri(uri).LocalPath : Path.GetFullPath(uri, directory);
            if (uri.Contains("://", StringComparison.Ordinal) && !uri.StartsWith("file://", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"{path}:{lineNumber}: '{uri}': only local files are supported by this build");
            }

            yield return new VideoTask(id ?? StableId(local), uri.Contains("://", StringComparison.Ordinal) ? uri : local, local);
        }
    }

    private static Regex GlobToRegex(string glob) =>
        new("^" + Regex.Escape(glob).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase);

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex SafeCharacters();
}
