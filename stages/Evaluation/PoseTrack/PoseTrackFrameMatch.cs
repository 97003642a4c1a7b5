namespace Pipeline.Stages.Evaluation.PoseTrack;

/// <summary>
/// poseval's assignGTmulti distances for one frame, shared by its AP and tracking halves: each predicted
/// person a against each ground-truth person b, per joint j, the distance ÷ (0.6 × b's head box diagonal)
/// (+∞ where either lacks the joint); a hit is a distance of at most 0.5 (PCKh@0.5).
/// </summary>
internal sealed class PoseTrackFrameMatch
{
    public const double Threshold = 0.5;

    private readonly double[,,] distance;

    private PoseTrackFrameMatch(PoseTrackFrame truth, PoseTrackFrame predicted)
    {
        Truth = truth.People;
        Predicted = predicted.People;
        distance = new double[Predicted.Count, Truth.Count, PoseTrackJointIds.Count];
        for (var b = 0; b < Truth.Count && Predicted.Count > 0; b++)
        {
            var head = Truth[b].Head ?? throw new InvalidDataException($"frame {truth.ImageName}: a ground-truth person without a head box (bbox_head), which PCKh needs");
            var headSize = 0.6 * Math.Sqrt(((head[2] - head[0]) * (head[2] - head[0])) + ((head[3] - head[1]) * (head[3] - head[1])));
            for (var a = 0; a < Predicted.Count; a++)
            {
                for (var j = 0; j < PoseTrackJointIds.Count; j++)
                {
                    distance[a, b, j] = Truth[b].Point(j) is { } g && Predicted[a].Point(j) is { } p
                        ? Math.Sqrt(((g.X - p.X) * (g.X - p.X)) + ((g.Y - p.Y) * (g.Y - p.Y))) / headSize
                        : double.PositiveInfinity;
                }
            }
        }
    }

    public IReadOnlyList<PoseTrackPerson> Truth { get; }

    public IReadOnlyList<PoseTrackPerson> Predicted { get; }

    /// <exception cref="InvalidDataException">A ground-truth person without a head box while there are predictions to score.</exception>
    public static PoseTrackFrameMatch Compute(PoseTrackFrame truth, PoseTrackFrame predicted) => new(truth, predicted);

    public double Distance(int a, int b, int joint) => distance[a, b, joint];

    public bool Hit(int a, int b, int joint) => distance[a, b, joint] <= Threshold;

    /// <summary>The share of b's labelled joints that a hits (the count itself when b has none labelled).</summary>
    public double Share(int a, int b)
    {
        var (hits, labelled) = (0, 0);
        for (var j = 0; j < PoseTrackJointIds.Count; j++)
        {
            hits += Hit(a, b, j) ? 1 : 0;
            labelled += Truth[b].Point(j) is null ? 0 : 1;
        }

        return labelled > 0 ? (double)hits / labelled : hits;
    }
}
