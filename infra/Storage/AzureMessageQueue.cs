using System.Net;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;

namespace Pipeline.Storage;

/// <summary>
/// <see cref="IMessageQueue"/> on Azure.Storage.Queues: one queue, messages as base64 text (see
/// <see cref="StorageClientOptions"/>), leases by visibility timeout and pop receipt.
/// </summary>
public sealed partial class AzureMessageQueue : IMessageQueue
{
    private readonly QueueClient queue;

    public AzureMessageQueue(StorageCredentials credentials, string queueName, Action<QueueClientOptions>? configure = null)
    {
        if (!ValidName().IsMatch(queueName) || queueName.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{queueName}' is not a valid queue name: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit");
        }

        Name = queueName;
        Account = credentials.Account;
        queue = credentials.Queue(queueName, StorageClientOptions.Queue(configure));
    }

    public string Name { get; }

    public string Account { get; }

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) =>
        StorageErrors.Run(Account, $"create queue '{Name}'", () => queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken));

    public Task SendAsync(string text, CancellationToken cancellationToken = default) =>
        StorageErrors.Run(Account, $"send a message to queue '{Name}'", () => queue.SendMessageAsync(text, visibilityTimeout: null, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken));

    public async Task<QueueMessage?> ReceiveAsync(TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        var received = await StorageErrors.Run(Account, $"receive from queue '{Name}'", () => queue.ReceiveMessageAsync(visibilityTimeout, cancellationToken));
        return received.Value is { } m ? new QueueMessage(m.MessageId, m.PopReceipt, (int)m.DequeueCount, m.Body.ToString()) : null;
    }

    public async Task<QueueMessage> RenewAsync(QueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        var receipt = await StorageErrors.Run(Account, $"renew the lease of message {message.Id} in queue '{Name}'",
            () => queue.UpdateMessageAsync(message.Id, message.PopReceipt, visibilityTimeout: visibilityTimeout, cancellationToken: cancellationToken));
        return message with { PopReceipt = receipt.Value.PopReceipt };
    }

    public async Task<bool> DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default)
    {
        try
        {
            await StorageErrors.Run(Account, $"delete message {message.Id} from queue '{Name}'", () => queue.DeleteMessageAsync(message.Id, message.PopReceipt, cancellationToken));
            return true;
        }
        catch (StorageException e) when (e.Status == HttpStatusCode.NotFound || (e.Status == HttpStatusCode.BadRequest && e.ErrorCode == "PopReceiptMismatch"))
        {
            // Already gone, or the lease passed to another receiver.
            return false;
        }
    }

    public async Task<int> ApproximateCountAsync(CancellationToken cancellationToken = default) =>
        (await StorageErrors.Run(Account, $"get the length of queue '{Name}'", () => queue.GetPropertiesAsync(cancellationToken))).Value.ApproximateMessagesCount;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ValidName();
}
