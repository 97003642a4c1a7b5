using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Graph.Inputs;

/// <summary>
/// One of N deterministic partitions of the input list: a video belongs to shard
/// SHA-256(video id) mod N, so every worker of a Kubernetes Indexed Job agrees on the split
/// whatever order it lists the inputs in, and the shards together cover each video exactly once.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard All => new(0, 1);

    /// <summary>Parses "i/N" (0 ≤ i &lt; N).</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || index >= count)
        {
            throw new ArgumentException($"--shard '{text}': expected i/N with 0 <= i < N, e.g. 0/3");
        }

        return new Shard(index, count);
    }

    /// <summary>
    /// The shard from the command line, else from Kubernetes' JOB_COMPLETION_INDEX with the count in
    /// PIPELINE_SHARDS (an Indexed Job sets the index; the manifest sets the count), else all videos.
    /// </summary>
    public static Shard Resolve(string? option)
    {
        if (!string.IsNullOrEmpty(option))
        {
            return Parse(option);
        }

        var index = Environment.GetEnvironmentVariable("JOB_COMPLETION_INDEX");
        var count = Environment.GetEnvironmentVariable("PIPELINE_SHARDS");
        if (string.IsNullOrEmpty(index))
        {
            return All;
        }

        if (string.IsNullOrEmpty(count))
        {
            throw new ArgumentException("JOB_COMPLETION_INDEX is set but PIPELINE_SHARDS (the number of shards) is not");
        }

        return Parse($"{index}/{count}");
    }

    public bool Contains(VideoTask video)
    {
        if (Count == 1)
        {
            return true;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(video.VideoId));
        return (int)(BitConverter.ToUInt64(hash, 0) % (ulong)Count) == Index;
    }

    public override string ToString() => $"{Index}/{Count}";
}
