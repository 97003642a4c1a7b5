using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;

namespace Pipeline.Storage;

/// <summary>
/// Azure Blob Storage over its REST API (service version 2021-08-06): SharedKey or SAS auth, block
/// upload for large files, listing with paging, retries with backoff on 429/5xx/timeouts. Error
/// messages name the account and the operation and never contain the key or the SAS token.
/// </summary>
public sealed class AzureBlobClient : IBlobStore, IDisposable
{
    private readonly StorageHttp http;

    public AzureBlobClient(StorageCredentials credentials, RetryPolicy? retry = null, HttpMessageHandler? handler = null) =>
        http = new StorageHttp(credentials, retry, handler);

    /// <summary>Blocks for large uploads (default 4 MiB); files up to <see cref="SingleUploadLimit"/> go in one request.</summary>
    public int BlockSize { get; init; } = 4 << 20;

    public long SingleUploadLimit { get; init; } = 8 << 20;

    public string Account => http.Credentials.Account;

    private Uri Url(string container, string? blob, string query) =>
        http.Url(http.Credentials.BlobEndpoint, Uri.EscapeDataString(container) + (blob is null ? "" : "/" + string.Join("/", blob.Split('/').Select(Uri.EscapeDataString))), query);

    private Task<HttpResponseMessage> SendAsync(string operation, Func<HttpRequestMessage> build, CancellationToken cancellationToken, params HttpStatusCode[] accepted) =>
        http.SendAsync(operation, build, cancellationToken, accepted);

    public async Task CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default)
    {
        using var _ = await SendAsync($"create container '{container}'", () => new HttpRequestMessage(HttpMethod.Put, Url(container, null, "restype=container")), cancellationToken, HttpStatusCode.Conflict);
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? marker = null;
        do
        {
            var query = $"restype=container&comp=list&maxresults={ListPageSize.ToString(CultureInfo.InvariantCulture)}" +
                (prefix.Length > 0 ? "&prefix=" + Uri.EscapeDataString(prefix) : "") +
                (marker is not null ? "&marker=" + Uri.EscapeDataString(marker) : "");
            using var response = await SendAsync($"list '{container}/{prefix}'", () => new HttpRequestMessage(HttpMethod.Get, Url(container, null, query)), cancellationToken);
            var xml = XDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            foreach (var blob in xml.Root!.Element("Blobs")?.Elements("Blob") ?? [])
            {
                var properties = blob.Element("Properties");
                yield return new BlobItem(
                    blob.Element("Name")!.Value,
                    long.Parse(properties?.Element("Content-Length")?.Value ?? "0", CultureInfo.InvariantCulture),
                    properties?.Element("Etag")?.Value);
            }

            marker = xml.Root.Element("NextMarker")?.Value;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    /// <summary>Results per listing page (the service's maximum is 5000).</summary>
    public int ListPageSize { get; init; } = 5000;

    public async Task<bool> ExistsAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync($"get properties of '{container}/{name}'", () => new HttpRequestMessage(HttpMethod.Head, Url(container, name, "")), cancellationToken, HttpStatusCode.NotFound);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    public async Task DownloadToFileAsync(string container, string name, string path, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync($"download '{container}/{name}'", () => new HttpRequestMessage(HttpMethod.Get, Url(container, name, "")), cancellationToken);
        var temporary = path + ".download";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            await response.Content.CopyToAsync(file, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public async Task<bool> UploadFileAsync(string container, string name, string path, bool onlyIfAbsent = false, CancellationToken cancellationToken = default)
    {
        var length = new FileInfo(path).Length;
        var operation = $"upload '{container}/{name}'";
        HttpRequestMessage Conditional(HttpRequestMessage request)
        {
            if (onlyIfAbsent)
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", "*");
            }

            return request;
        }

        if (length <= SingleUploadLimit)
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            using var response = await SendAsync(operation, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, Url(container, name, "")) { Content = new ByteArrayContent(bytes) };
                request.Headers.Add("x-ms-blob-type", "BlockBlob");
                return Conditional(request);
            }, cancellationToken, HttpStatusCode.Conflict, HttpStatusCode.PreconditionFailed);
            return response.IsSuccessStatusCode;
        }

        // Blocks are staged invisibly; the blob appears whole when the block list is committed.
        var blockIds = new List<string>();
        await using (var file = File.OpenRead(path))
        {
            var buffer = new byte[BlockSize];
            for (var index = 0; ; index++)
            {
                var read = await file.ReadAtLeastAsync(buffer, BlockSize, throwOnEndOfStream: false, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D6", CultureInfo.InvariantCulture)));
                blockIds.Add(id);
                var chunk = buffer.AsMemory(0, read).ToArray();
                using var _ = await SendAsync($"{operation} (block {index})", () =>
                    new HttpRequestMessage(HttpMethod.Put, Url(container, name, "comp=block&blockid=" + Uri.EscapeDataString(id))) { Content = new ByteArrayContent(chunk) }, cancellationToken);
            }
        }

        var list = new XElement("BlockList", blockIds.Select(id => new XElement("Latest", id))).ToString(SaveOptions.DisableFormatting);
        using var commit = await SendAsync($"{operation} (commit block list)", () =>
            Conditional(new HttpRequestMessage(HttpMethod.Put, Url(container, name, "comp=blocklist")) { Content = new StringContent(list, Encoding.UTF8, "application/xml") }),
            cancellationToken, HttpStatusCode.Conflict, HttpStatusCode.PreconditionFailed);
        return commit.IsSuccessStatusCode;
    }

    public async Task DeleteAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        using var _ = await SendAsync($"delete '{container}/{name}'", () => new HttpRequestMessage(HttpMethod.Delete, Url(container, name, "")), cancellationToken, HttpStatusCode.NotFound);
    }

    public void Dispose() => http.Dispose();
}
