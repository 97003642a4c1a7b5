using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Degrade;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Evaluation.PoseTrack;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Track;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>
/// Builds a <see cref="BackboneCache"/> from a video: decode, NanoDet and ByteTrack on every frame
/// (from frame 0, so tracks are those the pipeline would have), then for each tracked person on the
/// frames asked for, one crop with that frame's own box enlarged by 25 % (as the pipeline crops), its
/// versions (<see cref="VersionNames"/>), and Thunder once per version. From PoseTrack sequences
/// (frame folders with annotations), the same for every frame of each, with the labels matched to the tracked people.
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
    public Task<BackboneCache> OpenOrBuildAsync(string root, CacheDescription description, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        OpenOrBuildCoreAsync(root, description, null, progress, cancellationToken);

    /// <summary>
    /// Opens or builds a human-labelled cache (<paramref name="description"/>'s Labels set): every frame of
    /// every sequence, each sequence tracked on its own (its tracks' ids offset by <see cref="TrackStride"/>
    /// × its position), each tracked person with the label it matches (<see cref="PoseTrackLabels"/>).
    /// </summary>
    public Task<BackboneCache> OpenOrBuildAsync(string root, CacheDescription description, IReadOnlyList<LabelledSequence> sequences, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        OpenOrBuildCoreAsync(root, description, sequences, progress, cancellationToken);

    /// <summary>Track ids of sequence k are k × this + ByteTrack's id, so every (track, frame) of a labelled cache is unique.</summary>
    public const int TrackStride = 1_000_000;

    private async Task<BackboneCache> OpenOrBuildCoreAsync(string root, CacheDescription description, IReadOnlyList<LabelledSequence>? sequences, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(root, Key(description));
        if (BackboneCache.Open(directory, backbone.FeatureSize) is { } existing)
        {
            return existing;
        }

        if ((description.Labels is null) != (sequences is null))
        {
            throw new ArgumentException("a cache has labels exactly when it is built from labelled sequences");
        }

        await BuildAsync(directory, description, sequences, progress, cancellationToken);
        return BackboneCache.Open(directory, backbone.FeatureSize)!;
    }

    private async Task BuildAsync(string directory, CacheDescription description, IReadOnlyList<LabelledSequence>? sequences, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        foreach (var v in description.Versions.Where(v => !VersionNames.Contains(v)))
        {
            throw new ArgumentException($"unknown cache version '{v}' (known: {string.Join(", ", VersionNames)})");
        }

        if (sequences is not null && description.Versions.Contains("low-bitrate"))
        {
            throw new ArgumentException("the low-bitrate version re-encodes a video file; a labelled cache of frame folders cannot have it");
        }

        if (sequences is { Count: > int.MaxValue / TrackStride })
        {
            throw new ArgumentException($"{sequences.Count} sequences: at most {int.MaxValue / TrackStride} fit one cache");
        }

        System.IO.Directory.CreateDirectory(directory);
        var items = new List<CachedPersonFrame>();
        await using (var maps = new FileStream(Path.Combine(directory, BackboneCache.MapsFile), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            if (sequences is null)
            {
                await CacheVideoAsync(new VideoSpan(description.Video, description.FirstFrame, description.LastFrame, 0, null), directory, description, items, maps, progress, cancellationToken);
            }
            else
            {
                for (var k = 0; k < sequences.Count; k++)
                {
                    var before = items.Count;
                    await CacheVideoAsync(new VideoSpan(sequences[k].FrameFolder, 0, long.MaxValue, k * TrackStride, sequences[k].Annotations), directory, description, items, maps, null, cancellationToken);
                    progress?.Report($"backbone cache: sequence {k + 1}/{sequences.Count} {sequences[k].Annotations.Name}: {items.Count - before} person-frames, {items.Skip(before).Count(i => i.Label is not null)} matched to a label");
                }
            }

            await maps.FlushAsync(cancellationToken);
        }

        if (items.Count == 0)
        {
            throw new InvalidDataException($"{description.Video}: no tracked person on frames {description.FirstFrame}–{description.LastFrame}");
        }

        BackboneCache.WriteIndex(directory, new CacheIndex(description, items));
    }

    /// <summary>One video's (or frame folder's) frames to cache: the range, the offset of its track ids, and its annotations (null: none).</summary>
    private sealed record VideoSpan(string Video, long FirstFrame, long LastFrame, int TrackOffset, PoseTrackSequence? Annotations);

    private async Task CacheVideoAsync(VideoSpan span, string directory, CacheDescription description, List<CachedPersonFrame> items, FileStream maps, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var reencoded = description.Versions.Contains("low-bitrate") ? await ReencodeAsync(span.Video, directory, cancellationToken) : null;
        var images = span.Annotations is null ? null : FrameFolder.Frames(span.Video);
        var annotated = span.Annotations?.Frames.ToLookup(f => Path.GetFileName(f.ImageName), StringComparer.Ordinal);
        var tracker = new ByteTracker(trackOptions);
        DateTime? started = null; // from the first cached frame: the frames before it only run the detector and tracker
        var first = items.Count;
        await foreach (var (frame, lowBitrate) in FramesAsync(span.Video, reencoded, cancellationToken))
        {
            if (frame.Index > span.LastFrame)
            {
                break;
            }

            var people = tracker.Update(detector.Detect([frame.Image])[0], frame.PresentationTime);
            if (frame.Index < span.FirstFrame || people.Count == 0)
            {
                continue;
            }

            started ??= DateTime.UtcNow;
            var labels = annotated is null ? null : PoseTrackLabels.Match(
                [.. annotated[FrameFolder.NameAt(images!, frame.PresentationTime, FrameFolder.DefaultFrameRate)].SelectMany(f => f.People)],
                [.. people.Select(p => p.Box)],
                [.. people.Select(p => p.Box.ToCropRegion())]);
            items.AddRange(CacheFrame(frame, lowBitrate, people, span.TrackOffset, labels, description, maps));
            if (frame.Index % 50 == 0 && span.LastFrame < long.MaxValue)
            {
                var done = frame.Index - span.FirstFrame + 1;
                var total = span.LastFrame - span.FirstFrame + 1;
                var elapsed = DateTime.UtcNow - started.Value;
                progress?.Report(string.Create(CultureInfo.InvariantCulture, $"backbone cache: frame {frame.Index} ({done}/{total}), {items.Count - first} person-frames, ETA {TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (total - done)):mm\\:ss}"));
            }
        }

        if (reencoded is not null)
        {
            File.Delete(reencoded);
        }
    }

    private List<CachedPersonFrame> CacheFrame(DecodedFrame frame, DecodedFrame? lowBitrate, List<TrackedPerson> people, int trackOffset, float[]?[]? labels, CacheDescription description, FileStream maps)
    {
        var crops = people.Select(p => (p.Box.ToCropRegion(), p.TrackId + trackOffset)).ToList();
        var (keypoints, applied) = CacheCrops(backbone, frame, lowBitrate, crops, description, maps);
        return [.. people.Select((person, p) => new CachedPersonFrame(
            frame.Index,
            person.TrackId + trackOffset,
            Region(person.Box),
            Region(person.Box.ToCropRegion()),
            keypoints[p],
            applied[p],
            labels?[p]))];
    }

    /// <summary>
    /// Crops <paramref name="frame"/> at each region, makes every version of each crop (degradations seeded by the
    /// frame, the track and the version), runs Thunder on them and appends the records to <paramref name="maps"/>:
    /// per crop, Thunder's keypoints per version and what was done to it.
    /// </summary>
    internal static (float[][][] Keypoints, string[][] Applied) CacheCrops(MoveNet backbone, DecodedFrame frame, DecodedFrame? lowBitrate, IReadOnlyList<(BoundingBox Region, int Track)> regions, CacheDescription description, FileStream maps)
    {
        var size = backbone.InputSize;
        var versions = description.Versions;
        var crops = new byte[regions.Count * versions.Length * 3 * size * size];
        var applied = new string[regions.Count][];
        for (var p = 0; p < regions.Count; p++)
        {
            var (region, track) = regions[p];
            var clean = CropSampler.CropImage(frame.Image, region, size);
            applied[p] = new string[versions.Length];
            for (var v = 0; v < versions.Length; v++)
            {
                var random = new Random(Seed(description.Seed, frame.Index, track, v));
                var (crop, what) = Version(versions[v], clean, lowBitrate, region, random, size);
                CropSampler.ToPlanes(crop, crops, ((p * versions.Length) + v) * 3 * size * size);
                applied[p][v] = what;
            }
        }

        var keypoints = Forward(backbone, crops, regions.Count * versions.Length, maps);
        return ([.. Enumerable.Range(0, regions.Count).Select(p => keypoints.GetRange(p * versions.Length, versions.Length).ToArray())], applied);
    }

    /// <summary>
    /// The frames of <paramref name="video"/>, each with the same frame of its re-encoded copy
    /// <paramref name="reencoded"/> (null: none), decoded in lockstep.
    /// </summary>
    internal static async IAsyncEnumerable<(DecodedFrame Frame, DecodedFrame? LowBitrate)> FramesAsync(string video, string? reencoded, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var lowBitrateFrames = reencoded is null ? null : VideoDecoder.DecodeAsync(reencoded, new DecodeStatistics(), cancellationToken).GetAsyncEnumerator(cancellationToken);
        await foreach (var frame in VideoDecoder.DecodeAsync(video, new DecodeStatistics(), cancellationToken))
        {
            DecodedFrame? lowBitrate = null;
            if (lowBitrateFrames is not null)
            {
                lowBitrate = await lowBitrateFrames.MoveNextAsync() && lowBitrateFrames.Current.Index == frame.Index
                    ? lowBitrateFrames.Current
                    : throw new InvalidDataException($"{reencoded}: the re-encoded video lost frame {frame.Index} of {video}");
            }

            yield return (frame, lowBitrate);
        }
    }

    /// <summary>One version of a crop (<see cref="VersionNames"/>) drawn with <paramref name="random"/>, and what was done to it.</summary>
    private static (RgbImage Crop, string Applied) Version(string name, RgbImage clean, DecodedFrame? lowBitrate, BoundingBox region, Random random, int size)
    {
        if (name == "clean")
        {
            return (clean, "clean");
        }

        if (name == "low-bitrate")
        {
            return (CropSampler.CropImage(lowBitrate!.Image, region, size), "low-bitrate");
        }

        var kind = Degradation.Kinds[random.Next(Degradation.Kinds.Length)];
        var severity = name == "random" ? random.Next(1, 4) : int.Parse(name["severity-".Length..], CultureInfo.InvariantCulture);
        var degradation = new Degradation(kind, severity);
        var crop = clean.Clone();
        degradation.Apply(crop, random);
        return (crop, degradation.ToString());
    }

    // Thunder on the crops, chunk by chunk: records appended to the maps file, keypoints (x, y, score) returned.
    private static List<float[]> Forward(MoveNet backbone, byte[] crops, int count, FileStream maps)
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

    /// <summary>
    /// The video (or frame folder, through an ffconcat list at the default frame rate, as it is decoded) re-encoded at
    /// <see cref="LowBitrate"/> into DIRECTORY/low-bitrate.mp4. One encoder thread: x264's rate control with frame
    /// threads gives different bytes from run to run at this bitrate (measured on the sample), so the bench's
    /// low-bitrate regime moved between cache builds (Thunder 40.3, 44.3, 43.2 AP).
    /// </summary>
    internal static async Task<string> ReencodeAsync(string video, string directory, CancellationToken cancellationToken = default)
    {
        var output = Path.Combine(directory, "low-bitrate.mp4");
        string[] input = ["-i", video];
        if (System.IO.Directory.Exists(video))
        {
            var list = Path.Combine(directory, "frames.ffconcat");
            await File.WriteAllTextAsync(list, FrameFolder.ConcatList(FrameFolder.Frames(video), FrameFolder.DefaultFrameRate), cancellationToken);
            input = ["-f", "concat", "-safe", "0", "-i", list];
        }

        using var process = FfmpegProcess.Start(
            ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", .. input, "-map", "0:v:0", "-fps_mode", "passthrough", "-c:v", "libx264", "-threads", "1", "-preset", "veryfast",
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
