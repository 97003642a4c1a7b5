using Pipeline.Stages.Decode;
using Pipeline.Stages.Detect;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Pose.Temporal;
using static TorchSharp.torch;

namespace Pipeline.Cli.Temporal;

/// <summary>
/// `pose` with a temporal model: the real frames t−δ … t+δ around the asked one (clamped at the
/// video's ends; a still image is its own neighbour). Given boxes crop every frame of the window;
/// without, NanoDet finds the people on the key frame and each is followed on the neighbours by the
/// detection that overlaps its box most (IoU ≥ 0.3, else its key box). Each frame is cropped with the
/// person's own box there and run through the backbone once, as the pipeline does.
/// </summary>
internal static class WindowPose
{
    private const float FollowIoU = 0.3f;

    public static async Task<List<PersonPose>> EstimateAsync(string path, int frame, IReadOnlyList<(BoundingBox Box, float Score)> people, NanoDetDetector? detector, TemporalPoseModel model, CancellationToken cancellationToken)
    {
        var radius = model.Radius;
        var key = await StillFrames.ReadAsync(path, frame, cancellationToken);
        var frames = new RgbImage[(2 * radius) + 1];
        frames[radius] = key;
        for (var d = 1; d <= radius; d++)
        {
            frames[radius - d] = frame - d >= 0 ? await ReadOrNullAsync(path, frame - d, cancellationToken) ?? frames[radius - d + 1] : frames[radius - d + 1];
            frames[radius + d] = await ReadOrNullAsync(path, frame + d, cancellationToken) ?? frames[radius + d - 1];
        }

        var detections = detector is null ? null : frames.Select(f => ReferenceEquals(f, key) ? null : detector.Detect([f])[0]).ToArray();
        if (people.Count == 0)
        {
            return [];
        }

        using var scope = NewDisposeScope();
        var windows = new List<IReadOnlyList<(BoundingBox Region, Tensor Maps)>>();
        foreach (var (box, _) in people)
        {
            var regions = frames.Select((f, i) => Follow(box, detections?[i]).ToCropRegion()).ToList();
            var crops = cat([.. frames.Select((f, i) => tensor(CropSampler.Crops(f, [regions[i]], model.InputSize), [1, 3, model.InputSize, model.InputSize]))], 0);
            var maps = model.RunBackbone(crops);
            windows.Add([.. regions.Select((r, i) => (r, maps[i]))]);
        }

        var keypoints = model.RefineSlots(windows).cpu().data<float>().ToArray();
        return [.. people.Select((p, i) =>
        {
            var region = windows[i][radius].Region;
            var points = Enumerable.Range(0, CocoKeypoints.Count)
                .Select(k => (i * CocoKeypoints.Count + k) * 3)
                .Select(o => new Keypoint(region.X1 + (keypoints[o] * region.Width), region.Y1 + (keypoints[o + 1] * region.Height), keypoints[o + 2]))
                .ToArray();
            return new PersonPose(p.Box, p.Score, points);
        })];
    }

    // The neighbour's detection that overlaps the key box most, or the key box itself.
    private static BoundingBox Follow(BoundingBox box, List<Detection>? detections) =>
        detections?.Select(d => (d.Box, IoU: d.Box.IoU(box))).Where(d => d.IoU >= FollowIoU).OrderByDescending(d => d.IoU).Select(d => (BoundingBox?)d.Box).FirstOrDefault() ?? box;

    private static async Task<RgbImage?> ReadOrNullAsync(string path, int index, CancellationToken cancellationToken)
    {
        try
        {
            return await StillFrames.ReadAsync(path, index, cancellationToken);
        }
        catch (InvalidDataException)
        {
            return null; // past the end of the video, or a still image
        }
    }
}
