using Pipeline.Stages.Export;
using Pipeline.Stages.Sink;

namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>
/// Our labels as poseval predictions for one ground-truth sequence: the video is the one whose
/// input was the sequence's frame folder (its name, e.g. 000342_mpii_test) or is named like the
/// annotation file; a ground-truth frame gets the rows whose frame_name is its image's file name
/// (rows of video inputs, without names, by frame index = position). COCO's 17 keypoints become
/// PoseTrack's 15 joints as the PoseTrack18 export writes them (<see cref="PoseTrackJoints"/>:
/// head_bottom and head_top derived, eyes and ears dropped), each with its score.
/// </summary>
public static class LabelSequences
{
    /// <summary>Names a video can be matched by: its input's folder or file name (without extension), and its id.</summary>
    public static IEnumerable<string> Keys(VideoLabels labels)
    {
        var input = labels.VideoUri.TrimEnd('/', '\\');
        yield return Path.GetFileName(input);
        yield return Path.GetFileNameWithoutExtension(input);
        yield return labels.VideoId;
    }

    /// <summary>Names a ground-truth sequence can be matched by: its images' folder and its file name.</summary>
    public static IEnumerable<string> Keys(PoseTrackSequence truth)
    {
        if (truth.Frames.Count > 0)
        {
            yield return Path.GetFileName(Path.GetDirectoryName(truth.Frames[0].ImageName) ?? "");
        }

        yield return truth.Name;
    }

    public static PoseTrackSequence Predictions(PoseTrackSequence truth, VideoLabels labels)
    {
        var byName = labels.Rows.Where(r => r.FrameName.Length > 0).ToLookup(r => r.FrameName);
        var byIndex = labels.Rows.Where(r => r.FrameName.Length == 0).ToLookup(r => r.FrameIndex);
        var frames = truth.Frames.Select((frame, position) =>
        {
            var rows = byName.Contains(Path.GetFileName(frame.ImageName)) ? byName[Path.GetFileName(frame.ImageName)] : byIndex[position];
            return new PoseTrackFrame(frame.ImageName, [.. rows.OrderBy(r => r.TrackId).Select(Person)], []);
        }).ToList();
        return new PoseTrackSequence(truth.Name, frames);
    }

    /// <summary>Labelled ground-truth frames (with people) that no row names, in a video whose rows carry names.</summary>
    public static int UnmatchedFrames(PoseTrackSequence truth, VideoLabels labels)
    {
        var names = labels.Rows.Select(r => r.FrameName).Where(n => n.Length > 0).ToHashSet();
        return names.Count == 0 ? 0 : truth.Frames.Count(f => f.People.Count > 0 && !names.Contains(Path.GetFileName(f.ImageName)));
    }

    private static PoseTrackPerson Person(PoseRow row)
    {
        var slots = PoseTrackJoints.FromCoco(row.Keypoints);
        var points = new List<PoseTrackPoint>();
        for (var k = 0; k < slots.Length; k++)
        {
            var joint = Array.IndexOf(PoseTrackJointIds.Names, PoseTrackJoints.Names[k]);
            if (joint >= 0)
            {
                points.Add(new PoseTrackPoint(joint, slots[k].X, slots[k].Y, slots[k].Score));
            }
        }

        return new PoseTrackPerson(row.TrackId, null, true, points);
    }
}
