using Pipeline.Stages.Pose.Temporal.Training;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal;

/// <summary>
/// A temporal model's head, on top of the frozen backbone (MoveNet Thunder's stride-4 map): it takes
/// the backbone's outputs for the frames t−δ … t+δ of one person — features [B, T, C, h, w] and
/// heatmaps [B, T, J, h, w] (sigmoid outputs, 0–1), T = 2δ+1, the key frame at index δ, the
/// neighbours already resampled onto the key frame's crop (<see cref="NeighbourAlignment"/>) — and
/// returns the key frame's heatmaps [B, J, h, w] in the backbone's heatmap space.
/// </summary>
public abstract class TemporalHead : nn.Module<Tensor, Tensor, TemporalOutput>
{
    protected TemporalHead(string name, int radius, int featureChannels, int joints)
        : base(name)
    {
        Radius = radius;
        FeatureChannels = featureChannels;
        Joints = joints;
    }

    /// <summary>δ: frames on each side of the key frame.</summary>
    public int Radius { get; }

    /// <summary>2δ + 1.</summary>
    public int Window => (2 * Radius) + 1;

    public int FeatureChannels { get; }

    public int Joints { get; }

    /// <summary>The paper's training loss against target heatmaps [B, J, h, w] weighted per joint [B, J].</summary>
    public abstract Tensor Loss(TemporalOutput output, Tensor targets, Tensor weights);

    /// <summary>
    /// A training step's forward pass, with the step's own random stream for what a paper randomises
    /// inside the model at training time (SDTC's masks); a plain forward pass unless a head says otherwise.
    /// </summary>
    public virtual TemporalOutput TrainingForward(WindowBatch batch, Random draw) => call(batch.Features, batch.Heatmaps);

    /// <summary>
    /// The loss a training step minimises: <see cref="Loss"/> on the key frame, unless the paper also
    /// supervises the other frames or adds training-only terms, which read the whole
    /// <paramref name="batch"/>; <paramref name="draw"/> is the step's own random stream (so a
    /// resumed run draws the same).
    /// </summary>
    public virtual Tensor TrainingLoss(TemporalOutput output, WindowBatch batch, Random draw) =>
        Loss(output, batch.Targets, batch.Weights);

    /// <summary>Whether <see cref="TrainingLoss"/> reads the clean frames' features (<see cref="WindowBatch.CleanFeatures"/>).</summary>
    public virtual bool TrainsOnCleanFeatures => false;

    /// <summary>Training settings of the head's own (loss weights, margins) that its weights file records.</summary>
    public virtual IReadOnlyDictionary<string, string> TrainingMetadata { get; } = new Dictionary<string, string>();

    /// <summary>The key frame's slice of a window tensor [B, T, …] → [B, …].</summary>
    protected Tensor Key(Tensor window) => window.select(1, Radius);

    /// <summary>Frame t + <paramref name="offset"/> of a window tensor.</summary>
    protected Tensor At(Tensor window, int offset) => window.select(1, Radius + offset);
}

/// <summary>A head's output: the final heatmaps, and the intermediate ones its loss also supervises.</summary>
public sealed record TemporalOutput(Tensor Heatmaps, IReadOnlyList<Tensor> Intermediate) : IDisposable
{
    public void Dispose()
    {
        Heatmaps.Dispose();
        foreach (var t in Intermediate)
        {
            t.Dispose();
        }
    }
}
