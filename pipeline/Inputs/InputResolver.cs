using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Pipeline.Graph.Remote;
using Pipeline.Stages.Decode;

namespace Pipeline.Graph.Inputs;

/// <summary>
/// Turns the command line's inputs into video tasks: files, directories (searched recursively,
/// filtered by glob patterns; a folder of images without videos is one video, its frames the
/// images in number order), blob prefixes (az://container/prefix or the https:// URL: every blob
/// below it matching the patterns) and manifests (.txt: one path or URI per line; .jsonl: objects
/// with "uri" and optional "id"; URIs may be blobs). Each video gets a stable id: the manifest's id,
/// or the file name stem plus a hash of its full path or az:// URI, so the same input always lands
/// in the same output file.
/// </summary>
public static partial class InputResolver
{
    public static readonly string[] DefaultPatterns = ["*.mp4", "*.mkv", "*.avi", "*.webm", "*.mov", "*.mpg", "*.mpeg", "*.ogv", "*.m4v", "*.ts"];

    public static async Task<List<VideoTask>> ResolveAsync(IEnumerable<string> inputs, IReadOnlyList<string>? patterns = null, RemoteStorage? storage = null, CancellationToken cancellationToken = default)
    {
        var globs = (patterns is { Count: > 0 } ? patterns : DefaultPatterns).Select(GlobToRegex).ToList();
        var tasks = new List<VideoTask>();
        foreach (var input in inputs)
        {
            if (IsManifest(input))
            {
                tasks.AddRange(ReadManifest(input, storage));
            }
            else if (BlobUri.IsRemote(input))
            {
                tasks.AddRange(await ListBlobsAsync(input, globs, Required(storage, input), cancellationToken));
            }
            else if (Directory.Exists(input))
            {
                var videos = Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => globs.Any(g => g.IsMatch(Path.GetFileName(f))))
                    .Select(Path.GetFullPath)
                    .ToList();
                // A folder holding images and no videos is a video of its own (PoseTrack's sequences are such folders).
                var withVideos = videos.Select(Path.GetDirectoryName).ToHashSet();
                var frameFolders = Directory.EnumerateDirectories(input, "*", SearchOption.AllDirectories).Prepend(input)
                    .Select(d => Path.GetFullPath(d).TrimEnd(Path.DirectorySeparatorChar))
                    .Where(d => !withVideos.Contains(d) && FrameFolder.IsFrameFolder(d));
                tasks.AddRange(videos.Concat(frameFolders).Order(StringComparer.Ordinal).Select(f => ForFile(f)));
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

    private static bool IsManifest(string input) =>
        !BlobUri.IsRemote(input) && (input.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || input.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || input.EndsWith(".manifest", StringComparison.OrdinalIgnoreCase));

    private static RemoteStorage Required(RemoteStorage? storage, string input) =>
        storage ?? throw new ArgumentException($"{input} is in blob storage, but no storage account is configured (set AZURE_STORAGE_CONNECTION_STRING; or AZURE_STORAGE_ACCOUNT or --storage-account-url, with AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN, or nothing for Entra ID tokens)");

    /// <summary>The blobs under a prefix whose names match the patterns, in name order; or the one blob the URI names.</summary>
    private static async Task<List<VideoTask>> ListBlobsAsync(string input, List<Regex> globs, RemoteStorage storage, CancellationToken cancellationToken)
    {
        var prefix = storage.Parse(input);
        var found = new List<string>();
        await foreach (var blob in storage.Blobs.ListAsync(prefix.Container, prefix.Path, cancellationToken))
        {
            if (blob.Name == prefix.Path)
            {
                return [ForBlob(prefix)];
            }

            var relative = blob.Name[prefix.Path.Length..];
            if ((prefix.Path.Length == 0 || prefix.Path.EndsWith('/') || relative.StartsWith('/')) && globs.Any(g => g.IsMatch(Path.GetFileName(blob.Name))))
            {
                found.Add(blob.Name);
            }
        }

        return found.Order(StringComparer.Ordinal).Select(name => ForBlob(new BlobUri(prefix.Container, name))).ToList();
    }

    /// <summary>A blob input: its id hashes the canonical az:// form, so an https:// URL of the same blob gets the same id.</summary>
    public static VideoTask ForBlob(BlobUri blob, string? uri = null, string? id = null) => new(id ?? StableId(blob.ToString()), uri is null ? blob.ToString() : BlobUri.Redact(uri), "");

    /// <summary>A video file or a frame folder; the id of a folder "a.b" keeps its whole name.</summary>
    public static VideoTask ForFile(string fullPath, string? id = null) =>
        new(id ?? StableId(fullPath, Directory.Exists(fullPath) ? Path.GetFileName(fullPath) : null), fullPath, fullPath);

    /// <summary>"stem-xxxxxxxxxxxx": readable, and unique per full path or URI.</summary>
    /// <param name="stem">The readable part (default the file name without its extension).</param>
    public static string StableId(string uri, string? stem = null)
    {
        stem ??= Path.GetFileNameWithoutExtension(uri);
        var safe = SafeCharacters().Replace(stem, "_");
        if (safe.Length > 40)
        {
            safe = safe[..40];
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uri)))[..12];
        return $"{safe}-{hash}";
    }

    private static IEnumerable<VideoTask> ReadManifest(string path, RemoteStorage? storage)
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

            if (BlobUri.IsRemote(uri))
            {
                BlobUri blob;
                try
                {
                    blob = Required(storage, uri).Parse(uri);
                }
                catch (Exception e) when (e is ArgumentException or UriFormatException)
                {
                    throw new FormatException($"{path}:{lineNumber}: {e.Message}", e);
                }

                yield return ForBlob(blob, uri, id);
                continue;
            }

            if (uri.Contains("://", StringComparison.Ordinal) && !uri.StartsWith("file://", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"{path}:{lineNumber}: '{uri}': expected a local path, file://, az:// or https:// (blob storage)");
            }

            var local = uri.StartsWith("file://", StringComparison.Ordinal) ? new Uri(uri).LocalPath : Path.GetFullPath(uri, directory);
            yield return new VideoTask(id ?? StableId(local), uri.Contains("://", StringComparison.Ordinal) ? uri : local, local);
        }
    }

    private static Regex GlobToRegex(string glob) =>
        new("^" + Regex.Escape(glob).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase);

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex SafeCharacters();
}
