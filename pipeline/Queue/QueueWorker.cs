using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Graph.Remote;
using Pipeline.Graph.Run;
using Pipeline.Storage;

namespace Pipeline.Graph.Queue;

/// <summary>
/// Pulls videos from a work queue into one prelabel run until the queue is empty. A message is
/// deleted only after its video is committed (or found committed); a video that fails, or a message
/// delivered more than <see cref="QueueWorkerOptions.MaxAttempts"/> times (its workers kept dying),
/// goes to the poison queue with the reason. The worker exits when no message is left, in flight
/// included: another worker's message can come back while its lease may still expire.
/// </summary>
public sealed class QueueWorker(IMessageQueue queue, IMessageQueue poison, QueueWorkerOptions options, RemoteStorage? storage, ILogger logger)
{
    private readonly ConcurrentDictionary<string, MessageLease> leases = new();

    public async Task<RunManifest> RunAsync(PrelabelRunner runner, CancellationToken cancellationToken = default)
    {
        options.Validate();
        await queue.CreateIfNotExistsAsync(cancellationToken);
        await poison.CreateIfNotExistsAsync(cancellationToken);
        try
        {
            return await runner.RunAsync(ReceiveAsync(cancellationToken), [$"queue:{queue.Name}"], outcome => SettleAsync(outcome, cancellationToken), cancellationToken);
        }
        finally
        {
            // Interrupted (SIGTERM when a pod is evicted or scaled down): hand the unfinished videos
            // back at once rather than after their visibility timeout. Best effort, briefly: a
            // message not released simply reappears when its lease runs out.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            foreach (var lease in leases.Values)
            {
                var message = await lease.EndAsync();
                try
                {
                    await queue.RenewAsync(message, TimeSpan.Zero, grace.Token);
                    logger.LogInformation("returned message {Message} to queue {Queue}", message.Id, queue.Name);
                }
                catch (Exception e) when (e is StorageException or OperationCanceledException)
                {
                    logger.LogWarning("could not return message {Message} at once; it reappears when its lease runs out: {Error}", message.Id, e.Message);
                }
            }
        }
    }

    private async IAsyncEnumerable<VideoTask> ReceiveAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await queue.ReceiveAsync(options.VisibilityTimeout, cancellationToken);
            if (message is null)
            {
                if (leases.IsEmpty && await queue.ApproximateCountAsync(cancellationToken) == 0)
                {
                    logger.LogInformation("queue {Queue} is empty; stopping", queue.Name);
                    yield break;
                }

                await Task.Delay(options.PollInterval, cancellationToken);
                continue;
            }

            VideoTask video;
            try
            {
                video = VideoMessage.Parse(message.Text, storage);
            }
            catch (FormatException e)
            {
                await MoveToPoisonAsync(message, null, $"unreadable message: {e.Message}", cancellationToken);
                continue;
            }

            if (message.DequeueCount > options.MaxAttempts)
            {
                await MoveToPoisonAsync(message, video, $"delivered {message.DequeueCount} times without finishing (max attempts {options.MaxAttempts})", cancellationToken);
                continue;
            }

            if (leases.ContainsKey(video.VideoId))
            {
                // The same video queued twice: leave this copy hidden; when it comes back, the video is committed and it is skipped.
                continue;
            }

            using (logger.BeginScope("video {VideoId}", video.VideoId))
            {
                logger.LogInformation("received {Video} (message {Message}, attempt {Attempt})", video.Uri, message.Id, message.DequeueCount);
            }

            leases[video.VideoId] = new MessageLease(queue, message, options.VisibilityTimeout, logger);
            yield return video;
        }
    }

    // Called once a video is committed, failed or skipped: only now may its message go.
    private async Task SettleAsync(VideoOutcome outcome, CancellationToken cancellationToken)
    {
        if (!leases.TryRemove(outcome.Video.VideoId, out var lease))
        {
            return;
        }

        var message = await lease.EndAsync();
        if (outcome.Status == "failed")
        {
            await MoveToPoisonAsync(message, outcome.Video, outcome.Reason ?? "failed", cancellationToken);
        }
        else if (!await queue.DeleteAsync(message, cancellationToken))
        {
            logger.LogWarning("message {Message} for {Video} had passed to another worker; its commit is create-only, so nothing is duplicated", message.Id, outcome.Video.Uri);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, VideoTask? video, string reason, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope("video {VideoId}", video?.VideoId ?? "?");
        logger.LogWarning("moving message {Message} ({Video}) to {Poison}: {Reason}", message.Id, video?.Uri ?? "?", poison.Name, reason);
        var record = new Dictionary<string, object?> { ["message"] = message.Text, ["reason"] = reason, ["attempts"] = message.DequeueCount, ["id"] = video?.VideoId, ["uri"] = video?.Uri };
        await poison.SendAsync(JsonSerializer.Serialize(record), cancellationToken);
        await queue.DeleteAsync(message, cancellationToken);
    }
}
