using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Pipeline.Storage;

/// <summary>
/// The Azure SDK client options every client here uses. Retries are the SDK's own policy:
/// exponential backoff with jitter on 408/429/5xx, timeouts and failed connections — 5 retries
/// from 0.5 s, at most 8 s apart (about 15 s in all, so a short outage costs nothing); 30 s per
/// attempt. Authentication and permission errors are not retried. Queue messages are base64 text,
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
        retry.MaxRetries = 5;
        retry.Delay = TimeSpan.FromSeconds(0.5);
        retry.MaxDelay = TimeSpan.FromSeconds(8);
        retry.NetworkTimeout = TimeSpan.FromSeconds(30);
    }
}
