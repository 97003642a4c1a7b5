using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Pipeline.Storage;

/// <summary>
/// One Azure Storage queue over its REST API, with the same authentication, retries and error
/// messages as <see cref="AzureBlobClient"/>. Message text travels base64-encoded (as the Azure SDKs
/// write it), so any UTF-8 text is safe inside the service's XML.
/// </summary>
public sealed partial class AzureQueueClient : IMessageQueue, IDisposable
{
    private readonly StorageHttp http;

    public AzureQueueClient(StorageCredentials credentials, string queueName, RetryPolicy? retry = null, HttpMessageHandler? handler = null)
    {
        if (!ValidName().IsMatch(queueName) || queueName.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{queueName}' is not a valid queue name: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit");
        }

        Name = queueName;
        http = new StorageHttp(credentials, retry, handler);
    }

    public string Name { get; }

    public string Account => http.Credentials.Account;

    private Uri Url(string path, string query) => http.Url(http.Credentials.QueueEndpoint, Uri.EscapeDataString(Name) + path, query);

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var _ = await http.SendAsync($"create queue '{Name}'", () => new HttpRequestMessage(HttpMethod.Put, Url("", "")), cancellationToken, HttpStatusCode.Conflict);
    }

    public async Task SendAsync(string text, CancellationToken cancellationToken = default)
    {
        var body = new XElement("QueueMessage", new XElement("MessageText", Convert.ToBase64String(Encoding.UTF8.GetBytes(text)))).ToString(SaveOptions.DisableFormatting);
        using var _ = await http.SendAsync($"send a message to queue '{Name}'", () =>
            new HttpRequestMessage(HttpMethod.Post, Url("/messages", "messagettl=-1")) { Content = new StringContent(body, Encoding.UTF8, "application/xml") }, cancellationToken);
    }

    public async Task<QueueMessage?> ReceiveAsync(TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        using var response = await http.SendAsync($"receive from queue '{Name}'", () =>
            new HttpRequestMessage(HttpMethod.Get, Url("/messages", $"numofmessages=1&visibilitytimeout={Seconds(visibilityTimeout)}")), cancellationToken);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var message = xml.Root?.Element("QueueMessage");
        if (message is null)
        {
            return null;
        }

        return new QueueMessage(
            message.Element("MessageId")!.Value,
            message.Element("PopReceipt")!.Value,
            int.Parse(message.Element("DequeueCount")!.Value, CultureInfo.InvariantCulture),
            Encoding.UTF8.GetString(Convert.FromBase64String(message.Element("MessageText")!.Value)));
    }

    public async Task<QueueMessage> RenewAsync(QueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        using var response = await http.SendAsync($"renew the lease of message {message.Id} in queue '{Name}'", () =>
            new HttpRequestMessage(HttpMethod.Put, Url($"/messages/{Uri.EscapeDataString(message.Id)}", $"popreceipt={Uri.EscapeDataString(message.PopReceipt)}&visibilitytimeout={Seconds(visibilityTimeout)}")), cancellationToken);
        var receipt = response.Headers.TryGetValues("x-ms-popreceipt", out var values) ? values.First() : throw new StorageException(Account, $"renew message {message.Id}", response.StatusCode, null, "the service returned no pop receipt");
        return message with { PopReceipt = receipt };
    }

    public async Task<bool> DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default)
    {
        using var response = await http.SendAsync($"delete message {message.Id} from queue '{Name}'", () =>
            new HttpRequestMessage(HttpMethod.Delete, Url($"/messages/{Uri.EscapeDataString(message.Id)}", $"popreceipt={Uri.EscapeDataString(message.PopReceipt)}")), cancellationToken, HttpStatusCode.NotFound, HttpStatusCode.BadRequest);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            // The lease passed to another receiver (PopReceiptMismatch); anything else is a real error.
            var code = response.Headers.TryGetValues("x-ms-error-code", out var codes) ? codes.First() : null;
            if (code != "PopReceiptMismatch")
            {
                throw new StorageException(Account, $"delete message {message.Id} from queue '{Name}'", response.StatusCode, code, $"HTTP 400 {code}");
            }
        }

        return response.IsSuccessStatusCode;
    }

    public async Task<int> ApproximateCountAsync(CancellationToken cancellationToken = default)
    {
        using var response = await http.SendAsync($"get the length of queue '{Name}'", () => new HttpRequestMessage(HttpMethod.Get, Url("", "comp=metadata")), cancellationToken);
        return response.Headers.TryGetValues("x-ms-approximate-messages-count", out var values) ? int.Parse(values.First(), CultureInfo.InvariantCulture) : 0;
    }

    private static string Seconds(TimeSpan span) => ((int)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ValidName();

    public void Dispose() => http.Dispose();
}
