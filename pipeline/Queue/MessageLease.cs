using Microsoft.Extensions.Logging;
using Pipeline.Storage;

namespace Pipeline.Graph.Queue;

/// <summary>
/// Keeps a received message hidden while its video is processed, renewing its visibility every third
/// of the timeout. If a renewal fails (the service unreachable longer than the retries, or the lease
/// lost), the message may reappear and another worker redo the video: create-only commits make that
/// harmless.
/// </summary>
internal sealed class MessageLease
{
    private readonly IMessageQueue queue;
    private readonly TimeSpan timeout;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private QueueMessage current;

    public MessageLease(IMessageQueue queue, QueueMessage message, TimeSpan timeout, ILogger logger)
    {
        this.queue = queue;
        this.timeout = timeout;
        this.logger = logger;
        current = message;
        loop = RenewAsync(stop.Token);
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(timeout / 3, cancellationToken);
                current = await queue.RenewAsync(current, timeout, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (StorageException e)
        {
            logger.LogWarning("lost the lease of message {Message}; another worker may redo its video: {Error}", current.Id, e.Message);
        }
    }

    /// <summary>Stops renewing; returns the message with its latest pop receipt (needed to delete it).</summary>
    public async Task<QueueMessage> EndAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
        return current;
    }
}
