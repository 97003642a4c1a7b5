using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Degrade;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Track;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>
/// Builds a <see cref="BackboneCache"/> from a video: decode, NanoDet and ByteTrack on every frame
/// (from frame 0, so tracks are those the pipeline would have), then for each tracked person on the
/// frames asked for, one crop with that frame's own box enlarged by 25 % (as the pipeline crops), its
/// versions (<see cref="VersionNames"/>), and Thunder once per version.
/// </summary>
public sealed class BackboneCacheBuilder(MoveNet backbone, NanoDetDetector detector, ByteTrackOptions? trackOptions = null)
{
    /// <summary>
    /// Version names: <c>clean</c>; <c>random</c> (a degradation of random kind and severity);
    /// <c>severity-1|2|3</c> (random kind at that severity); <c>low-bitrate</c> (the same crop from the
    /// whole video re-encoded with FFmpeg at <see cref="LowBitrate"/>, which training never sees).
    /// </summary>
    public static readonly string[] VersionNames = ["clean", "random", "severity-1", "severity-2", "severity-3", "low-bitrate"];

    /// <summary>H.264 bitrate of the low-bitrate version (the sample is 768×576 at 10 fps).</summary>
    public const string LowBitrate = "40k";

    private const int ForwardBatch = 16;

    /// <summary>The cache folder name for a description: a hash of everything that changes its contents.</summary>
    public static string Key(CacheDescription description) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(description))))[..16].ToLowerInvariant();

    /// <summary>Opens the cache under <paramref name="root"/> for this description, building it first if it is not there.</summary>
    public async Task<BackboneCache> OpenOrBuildAsync(string root, CacheDescription description, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var directory = Path.Combine(root, Key(description));
        if (BackboneCache.Open(directory, backbone.FeatureSize) is { } existing)
        {
            return existing;
        }

        await BuildAsync(directory, description, progress, cancellationToken);
        return BackboneCache.Open(directory, backbone.FeatureSize)!;
    }

    private async Task BuildAsync(string directory, CacheDescription description, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        foreach (var v in description.Versions.Where(v => !VersionNames.Contains(v)))
        {
            throw new ArgumentException($"unknown cache version '{v}' (known: {string.Join(", ", VersionNames)})");
        }

        System.IO.Directory.CreateDirectory(directory);
        var reencoded = description.Versions.Contains("low-bitrate") ? await ReencodeAsync(description.Video, directory, cancellationToken) : null;
        var tracker = new ByteTracker(trackOptions);
        var items = new List<CachedPersonFrame>();
        DateTime? started = null; // from the first cached frame: the frames before it only run the detector and tracker
        await using var maps = new FileStream(Path.Combine(directory, BackboneCache.MapsFile), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using var lowBitrateFrames = reencoded is null ? null : VideoDecoder.DecodeAsync(reencoded, new DecodeStatistics(), cancellationToken).GetAsyncEnumerator(cancellationToken);
        await foreach (var frame in VideoDecoder.DecodeAsync(description.Video, new DecodeStatistics(), cancellationToken))
        {
            if (frame.Index > description.LastFrame)
            {
                break;
            }

            DecodedFrame? lowBitrate = null;
            if (lowBitrateFrames is not null)
            {
                lowBitrate = await lowBitrateFrames.MoveNextAsync() && lowBitrateFrames.Current.Index == frame.Index
                    ? lowBitrateFrames.Current
                    : throw new InvalidDataException($"{reencoded}: the re-encoded video lost frame {frame.Index} of {description.Video}");
            }

            var people = tracker.Update(detector.Detect([frame.Image])[0], frame.PresentationTime);
            if (frame.Index < description.FirstFrame || people.Count == 0)
            {
                continue;
            }

            started ??= DateTime.UtcNow;
            items.AddRange(CacheFrame(frame, lowBitrate, people, description, maps));
            if (frame.Index % 50 == 0)
            {
                var done = frame.Index - description.FirstFrame + 1;
                var total = description.LastFrame - description.FirstFrame + 1;
                var elapsed = DateTime.UtcNow - started.Value;
                progress?.Report(string.Create(CultureInfo.InvariantCulture, $"backbone cache: frame {frame.Index} ({done}/{total}), {items.Count} person-frames, ETA {TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done)):mm\\:ss}"));
            }
        }

        if (items.Count == 0)
        {
            throw new InvalidDataException($"{description.Video}: no tracked person on frames {description.FirstFrame}–{description.LastFrame}");
        }

        await maps.FlushAsync(cancellationToken);
        BackboneCache.WriteIndex(directory, new CacheIndex(description, items));
        if (reencoded is not null)
        {
            File.Delete(reencoded);
        }
    }

    private List<CachedPersonFrame> CacheFrame(DecodedFrame frame, DecodedFrame? lowBitrate, List<TrackedPerson> people, CacheDescription description, FileStream maps)
    {
        var size = backbone.InputSize;
        var versions = description.Versions;
        var crops = new byte[people.Count * versions.Length * 3 * size * size];
        var applied = new string[people.Count][];
        for (var p = 0; p < people.Count; p++)
        {
            var region = people[p].Box.ToCropRegion();
            var clean = CropSampler.CropImage(frame.Image, region, size);
            applied[p] = new string[versions.Length];
            for (var v = 0; v < versions.Length; v++)
            {
                var random = new Random(Seed(description.Seed, frame.Index, people[p].TrackId, v));
                var (crop, what) = Version(versions[v], clean, lowBitrate, region, random);
                CropSampler.ToPlanes(crop, crops, ((p * versions.Length) + v) * 3 * size * size);
                applied[p][v] = what;
            }
        }

        var keypoints = Forward(crops, people.Count * versions.Length, maps);
        return [.. people.Select((person, p) => new CachedPersonFrame(
            frame.Index,
            person.TrackId,
            Region(person.Box),
            Region(person.Box.ToCropRegion()),
            [.. Enumerable.Range(0, versions.Length).Select(v => keypoints[(p * versions.Length) + v])],
            applied[p]))];
    }

    private (RgbImage Crop, string Applied) Version(string name, RgbImage clean, DecodedFrame? lowBitrate, BoundingBox region, Random random)
    {
        if (name == "clean")
        {
            return (clean, "clean");
        }

        if (name == "low-bitrate")
        {
            return (CropSampler.CropImage(lowBitrate!.Image, region, backbone.InputSize), "low-bitrate");
        }

        var kind = Degradation.Kinds[random.Next(Degradation.Kinds.Length)];
        var severity = name == "random" ? random.Next(1, 4) : int.Parse(name["severity-".Length..], CultureInfo.InvariantCulture);
        var degradation = new Degradation(kind, severity);
        var crop = clean.Clone();
        degradation.Apply(crop, random);
        return (crop, degradation.ToString());
    }

    // Thunder on the crops, chunk by chunk: records appended to the maps file, keypoints (x, y, score) returned.
    private List<float[]> Forward(byte[] crops, int count, FileStream maps)
    {
        var size = backbone.InputSize;
        var keypoints = new List<float[]>(count);
        for (var start = 0; start < count; start += ForwardBatch)
        {
            var n = Math.Min(ForwardBatch, count - start);
            using var scope = NewDisposeScope();
            using var _ = inference_mode();
            var input = tensor(crops.AsSpan(start * 3 * size * size, n * 3 * size * size).ToArray(), [n, 3, size, size]).to(float32).to(backbone.Device);
            using var heads = backbone.Forward(input);
            var record = cat([heads.Features, heads.HeatmapLogits.sigmoid()], 1).to(float16).cpu().contiguous();
            maps.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(record.data<Half>().ToArray().AsSpan()));
            var decoded = backbone.Decode(heads).cpu().data<float>().ToArray(); // (y, x, score) per joint
            for (var i = 0; i < n; i++)
            {
                var k = new float[BackboneCache.Joints * 3];
                for (var j = 0; j < BackboneCache.Joints; j++)
                {
                    var o = ((i * BackboneCache.Joints) + j) * 3;
                    (k[j * 3], k[(j * 3) + 1], k[(j * 3) + 2]) = (decoded[o + 1], decoded[o], decoded[o + 2]);
                }

                keypoints.Add(k);
            }
        }

        return keypoints;
    }

    private static async Task<string> ReencodeAsync(string video, string directory, CancellationToken cancellationToken)
    {
        var output = Path.Combine(directory, "low-bitrate.mp4");
        using var process = FfmpegProcess.Start(
            ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", video, "-map", "0:v:0", "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "veryfast",
             "-b:v", LowBitrate, "-maxrate", LowBitrate, "-bufsize", "80k", output]);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? output : throw new InvalidDataException($"{video}: FFmpeg could not re-encode it at {LowBitrate}: {FfmpegProcess.Tail(await stderr)}");
    }

    private static float[] Region(BoundingBox b) => [b.X1, b.Y1, b.X2, b.Y2];

    /// <summary>The degradation seed of one version of one person-frame: a fixed mix, the same on every run and platform.</summary>
    internal static int Seed(int seed, long frame, int track, int version) =>
        unchecked((int)((seed * 73856093L) ^ (frame * 19349663L) ^ (track * 83492791L) ^ (version * 2654435761L)));
}
