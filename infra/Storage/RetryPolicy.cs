using System.Net;

namespace Pipeline.Storage;

/// <summary>Retries on throttling (429), server errors (5xx), timeouts and connection failures, with exponential backoff and jitter.</summary>
public sealed class RetryPolicy
{
    /// <summary>Attempts in all (default 6).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>First delay (default 0.5 s), doubled each retry up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one attempt (default 100 s).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    public TimeSpan Delay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt)) * (0.8 + (Random.Shared.NextDouble() * 0.4)));
}
