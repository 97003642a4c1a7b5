using Pipeline.Stages.Evaluation;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>Pairs a prediction for a cached person-frame with its target (the teacher's keypoints — Thunder on the clean crop — or its human label), in frame pixels.</summary>
public static class TeacherAgreement
{
    /// <summary>Keypoints (x, y, score) × 17, crop-normalised, of item <paramref name="index"/> against its target; target joints ≥ 0.3 count.</summary>
    public static PairedPose Pair(BackboneCache cache, int index, ReadOnlySpan<float> prediction)
    {
        var item = cache.Items[index];
        var target = cache.Target(index) ?? throw new ArgumentException($"person-frame {index} (track {item.Track}, frame {item.Frame}) has no label to compare with", nameof(index));
        return new(item.PersonBox, ToFrame(item, target), [.. Enumerable.Range(0, BackboneCache.Joints).Select(j => target[(j * 3) + 2] >= HeatmapTargets.MinScore)], ToFrame(item, prediction));
    }

    /// <summary>Crop-normalised (x, y, score) × 17 → keypoints in frame pixels.</summary>
    public static Keypoint[] ToFrame(CachedPersonFrame item, ReadOnlySpan<float> points)
    {
        var region = item.CropRegion;
        var result = new Keypoint[BackboneCache.Joints];
        for (var j = 0; j < result.Length; j++)
        {
            result[j] = new Keypoint(region.X1 + (points[j * 3] * region.Width), region.Y1 + (points[(j * 3) + 1] * region.Height), points[(j * 3) + 2]);
        }

        return result;
    }
}
