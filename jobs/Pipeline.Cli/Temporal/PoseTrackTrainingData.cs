using System.Security.Cryptography;
using Pipeline.Stages.Decode;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Evaluation.PoseTrack;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Pose.Temporal.Training;

namespace Pipeline.Cli.Temporal;

/// <summary>
/// `train --posetrack DIR`: a PoseTrack dataset as a human-labelled backbone cache. DIR is the dataset's
/// root as PoseTrack ships it: annotation files (PoseTrack18, or PoseTrack17 annolist) in
/// annotations/SPLIT/*.json, one per sequence, whose image names (images/SPLIT/SEQUENCE/000000.jpg) are
/// paths under DIR; each sequence's frame folder is decoded as one video.
/// </summary>
internal static class PoseTrackTrainingData
{
    public static string AnnotationFolder(string root, string split) => Path.Combine(root, "annotations", split);

    /// <summary>
    /// The split's cache, built when absent; null when the split has no annotation folder and
    /// <paramref name="required"/> is false (validation is optional).
    /// </summary>
    /// <exception cref="InvalidDataException">No annotation files, an unreadable one, or a sequence whose frame folder is missing.</exception>
    public static async Task<BackboneCache?> OpenAsync(string root, string split, bool required, string[] versions, int seed, string cacheRoot, TorchSharp.torch.Device device, CancellationToken cancellationToken)
    {
        var folder = AnnotationFolder(root, split);
        if (!Directory.Exists(folder))
        {
            return required ? throw new ArgumentException($"--posetrack {root}: no annotation folder {folder} (expected annotations/{split}/*.json, as PoseTrack ships them)") : null;
        }

        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new InvalidDataException($"{folder}: no .json annotation files");
        }

        var sequences = new List<LabelledSequence>();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            var annotations = await PoseTrackFiles.ReadAsync(file, cancellationToken);
            sequences.Add(new LabelledSequence(FrameFolderOf(root, file, annotations), annotations));
            hash.AppendData(await File.ReadAllBytesAsync(file, cancellationToken));
        }

        var store = ModelStore.Default;
        var labels = $"posetrack {split} {files.Count} files {Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant()}";
        var description = new CacheDescription(Path.GetFullPath(root), files.Sum(f => new FileInfo(f).Length), 0, long.MaxValue, versions, seed, TemporalData.BackboneHash(store), labels);
        var cache = await TemporalData.OpenOrBuildAsync(cacheRoot, description, $"{files.Count} PoseTrack sequences in {folder}, versions {string.Join(", ", versions)}", async () =>
        {
            using var backbone = new MoveNet(store.GraphModel(TemporalData.Backbone), device);
            using var detector = new NanoDetDetector(store.GraphModel("nanodet"), device: device);
            return await new BackboneCacheBuilder(backbone, detector).OpenOrBuildAsync(cacheRoot, description, sequences, new StderrProgress(), cancellationToken);
        }, c => $"{Labelled(c)} labelled");
        if (!Enumerable.Range(0, cache.Items.Count).Any(cache.Teaches))
        {
            throw new InvalidDataException($"{folder}: no tracked person matched an annotated one (IoU ≥ {PoseTrackLabels.MinIoU} with the annotation's points' extent); check that the image names point at the frames under {root}");
        }

        return cache;
    }

    private static int Labelled(BackboneCache cache) => Enumerable.Range(0, cache.Items.Count).Count(cache.Teaches);

    /// <summary>The one folder a sequence's image names point into, under the dataset root.</summary>
    private static string FrameFolderOf(string root, string file, PoseTrackSequence annotations)
    {
        var folders = annotations.Frames.Select(f => Path.GetDirectoryName(f.ImageName) ?? "").Distinct().ToList();
        if (folders.Count != 1)
        {
            throw new InvalidDataException($"{file}: its images lie in {folders.Count} folders ({string.Join(", ", folders.Take(3))}); a sequence is one frame folder");
        }

        var folder = Path.Combine(root, folders[0]);
        return FrameFolder.IsFrameFolder(folder) ? folder
            : throw new InvalidDataException($"{file}: its frames' folder {folder} does not exist or holds no images");
    }
}
