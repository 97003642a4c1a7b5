using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Pipeline.Storage;

/// <summary>
/// The Azure SDK client options every client here uses. Retries are the SDK's own policy:
/// exponential backoff with jitter on 408/429/5xx, timeouts and failed connections — 6 retries
/// from 0.5 s, at most 16 s apart (about 30 s in all, at least 25 s with the SDK's ±20 % jitter,
/// so a short outage or a slow service restart costs a batch job nothing; 15 s proved too short
/// for a restart on a loaded machine); 30 s per attempt. Authentication and permission errors are not retried. Queue messages are base64 text,
/// as the pipeline's earlier REST client wrote them, so messages already on queues stay readable.
/// </summary>
public static class StorageClientOptions
{
    public static BlobClientOptions Blob(Action<BlobClientOptions>? configure = null)
    {
        var options = new BlobClientOptions();
        Retry(options.Retry);
        configure?.Invoke(options);
        return options;
    }

    public static QueueClientOptions Queue(Action<QueueClientOptions>? configure = null)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        Retry(options.Retry);
        configure?.Invoke(options);
        return options;
    }

    private static void Retry(RetryOptions retry)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = 6;
        retry.Delay = TimeSpan.FromSeconds(0.5);
        retry.MaxDelay = TimeSpan.FromSeconds(16);
        retry.NetworkTimeout = TimeSpan.FromSeconds(30);
    }
}
