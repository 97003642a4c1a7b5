namespace Pipeline.Storage;

/// <summary>A received message: hidden from other receivers until its visibility timeout ends, unless renewed.</summary>
/// <param name="PopReceipt">Proof of the current lease; each renewal gives a new one.</param>
/// <param name="DequeueCount">How many times the message has been received, this time included.</param>
public sealed record QueueMessage(string Id, string PopReceipt, int DequeueCount, string Text);

/// <summary>
/// The work-queue operations the queue worker needs (at-least-once delivery with leases), implemented
/// by <see cref="AzureMessageQueue"/> on the Azure SDK.
/// </summary>
public interface IMessageQueue
{
    string Name { get; }

    Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default);

    Task SendAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>The next visible message, hidden for <paramref name="visibilityTimeout"/>; null when none is visible.</summary>
    Task<QueueMessage?> ReceiveAsync(TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease; returns the message with its new pop receipt. Throws when the lease was lost.</summary>
    Task<QueueMessage> RenewAsync(QueueMessage message, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    /// <summary>Deletes the message; false when it was already gone or its lease had passed to another receiver.</summary>
    Task<bool> DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default);

    /// <summary>Messages in the queue, visible or not (the service's approximate count).</summary>
    Task<int> ApproximateCountAsync(CancellationToken cancellationToken = default);
}
