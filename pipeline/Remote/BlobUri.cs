using Pipeline.Storage;

namespace Pipeline.Graph.Remote;

/// <summary>
/// A blob or a blob prefix: <c>az://container/path</c>, or the blob's URL in the configured account
/// (<c>https://account.blob.core.windows.net/container/path</c>, or an emulator's path-style URL).
/// A query string on a URL (a SAS) is dropped (<see cref="Redact"/>): credentials come from the environment.
/// </summary>
public sealed record BlobUri(string Container, string Path)
{
    public const string Scheme = "az://";

    /// <summary>True for az://, http:// and https:// inputs (everything that is not a local file).</summary>
    public static bool IsRemote(string uri) =>
        uri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URI without its query string: a URL copied from the portal may carry a SAS, which must not reach logs, manifests or Parquet.</summary>
    public static string Redact(string uri) =>
        IsRemote(uri) && !uri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && uri.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? uri[..q] : uri;

    public static BlobUri Parse(string uri, StorageCredentials credentials)
    {
        string relative;
        if (uri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            relative = uri[Scheme.Length..];
        }
        else
        {
            var url = new Uri(new Uri(uri).GetLeftPart(UriPartial.Path));
            var endpoint = credentials.BlobEndpoint.AbsoluteUri;
            if (!url.AbsoluteUri.StartsWith(endpoint, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"'{Redact(uri)}' is not in storage account '{credentials.Account}' ({endpoint}); the credentials in the environment are for that account");
            }

            relative = Uri.UnescapeDataString(url.AbsoluteUri[endpoint.Length..]);
        }

        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? relative : relative[..slash];
        if (container.Length == 0)
        {
            throw new ArgumentException($"'{Redact(uri)}' names no container (expected az://container/path)");
        }

        return new BlobUri(container, slash < 0 ? "" : relative[(slash + 1)..]);
    }

    /// <summary>The blob <paramref name="name"/> under this prefix, as a folder (a '/' between them).</summary>
    public BlobUri Child(string name) => new(Container, Path.Length == 0 || Path.EndsWith('/') ? Path + name : Path + "/" + name);

    public override string ToString() => $"{Scheme}{Container}/{Path}";
}
