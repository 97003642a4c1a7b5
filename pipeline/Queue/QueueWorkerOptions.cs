namespace Pipeline.Graph.Queue;

/// <summary>Settings of a queue worker (the worker command's flags map onto these).</summary>
public sealed class QueueWorkerOptions
{
    /// <summary>
    /// How long a received message stays hidden from other workers (default 5 min). It is renewed
    /// every third of that while its video is in progress, so it only matters when a worker dies:
    /// then the video goes back to the queue after at most this long.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Deliveries before a message is moved to the poison queue (default 5).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait between polls of an empty queue (default 5 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The poison queue's name: the work queue's name plus this (default "-poison").</summary>
    public string PoisonSuffix { get; set; } = "-poison";

    public void Validate()
    {
        if (VisibilityTimeout < TimeSpan.FromSeconds(3) || VisibilityTimeout > TimeSpan.FromDays(7))
        {
            throw new ArgumentException("the visibility timeout must be between 3 seconds and 7 days");
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentException("max attempts must be at least 1");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("the poll interval must be positive");
        }
    }
}
