using Pipeline.Stages.Evaluation;

namespace Pipeline.Stages.Pose.Temporal.Training;

/// <summary>Pairs a prediction for a cached person-frame with the teacher's keypoints (Thunder on the clean crop), in frame pixels.</summary>
public static class TeacherAgreement
{
    /// <summary>Keypoints (x, y, score) × 17, crop-normalised, of <paramref name="item"/> against its teacher; teacher joints ≥ 0.3 count.</summary>
    public static PairedPose Pair(CachedPersonFrame item, ReadOnlySpan<float> prediction) =>
        new(item.PersonBox, ToFrame(item, item.Teacher), [.. Enumerable.Range(0, BackboneCache.Joints).Select(j => item.Teacher[(j * 3) + 2] >= HeatmapTargets.MinScore)], ToFrame(item, prediction));

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
