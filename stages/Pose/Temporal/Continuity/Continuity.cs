using System.Globalization;
using Pipeline.Stages.Pose.Temporal.Tokens;
using Pipeline.Stages.Pose.Temporal.Training;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.Continuity;

/// <summary>
/// Continuity-driven pose estimation (seed 003), frames t−2 … t+2 (T = 2) on MoveNet Thunder's stride-4 map:
/// <code>
/// X_i = PatchEmbed(F_i) + P_s + P_t,i          [N, D] per frame, N = (64 / 4)² = 256, D = 64
/// Z_i = E_Z(X_i) [M = 128],  S_i = E_S(X_i) [2, 3]
/// H_i = H_i^backbone + A(D(Z_i), S_i)           per-frame heatmaps (Eq. 4), i = t−2 … t+2
/// H_t* = MultiFrameHeatmapFusion(H)             temporal ↔ spatial attention, conv head
/// L = λ_h2 L(H_t*) + λ_h1 Σ_i L(H_i) + λ_c L_c(Z) + λ_s ‖Z_t − Z′_t‖ + λ_t L_t(H, F^clean)
/// </code>
/// Deviations (README, "Temporal models"): tokens from the frozen MoveNet map instead of a ViT-B
/// trained end to end; the per-frame heatmaps add to the backbone's and every head starts at zero
/// (training starts from the backbone); Z on the unit sphere; L_c as its text reads (Eq. 2's signs
/// are reversed); L_s on the key frame's features rotated and scaled (the cached backbone saw only
/// upright crops); L_t on the backbone's stride-4 features of the clean frames instead of pixels, over
/// each heatmap's 9 most probable positions; the sizes and loss weights, which the paper leaves open.
/// <c>withFusion: false</c> is the paper's ablation without multi-frame heatmap fusion (H_t* = H_t).
/// </summary>
public sealed class Continuity : TemporalHead
{
    public const string ModelName = "continuity";

    /// <summary>The ablation without multi-frame heatmap fusion, trained and benched the same way.</summary>
    public const string WithoutFusionName = "continuity-no-fusion";

    private const int Patch = 4;
    private const int MapSize = 64;

    /// <summary>The loss weights and margin (the paper gives none); see <see cref="LossWeights"/> for how they were set.</summary>
    public static readonly LossWeights Weights = new(KeyFrame: 1, Window: 0.2, Contrastive: 3e-4, Spatial: 3e-4, Trajectory: 4e-7, Margin: 0.1);

    private readonly PatchEmbedding embedding;
    private readonly SemanticAlignmentEncoder semantic;
    private readonly TransformationEncoder transformation;
    private readonly SemanticAlignmentDecoder decoder;
    private readonly MultiFrameHeatmapFusion? fusion;

    public Continuity(int channels = 24, int joints = 17, int width = 64, int heads = 4, int embedding = 128, bool withFusion = true)
        : base(withFusion ? ModelName : WithoutFusionName, radius: 2, channels, joints)
    {
        const int grid = MapSize / Patch;
        // No temporal position: Z = E_Z(F) of one frame (Eq. 1) must not know the frame's slot, or L_c could be met by the positions alone.
        this.embedding = new PatchEmbedding("embedding", channels, width, Patch, grid, frames: 0);
        semantic = new SemanticAlignmentEncoder("E_Z", grid * grid, width, heads, embedding);
        transformation = new TransformationEncoder("E_S", width, grid);
        decoder = new SemanticAlignmentDecoder("D", embedding, joints, MapSize);
        fusion = withFusion ? new MultiFrameHeatmapFusion("fusion", joints, width, heads, Patch, grid, Radius, depth: 2) : null;
        RegisterComponents();
    }

    /// <summary>
    /// Features [B, 5, C, 64, 64] and heatmaps [B, 5, J, 64, 64] of t−2 … t+2 → H_t* [B, J, 64, 64];
    /// intermediate: the per-frame heatmaps H [B, T′, J, 64, 64] and embeddings Z [B, T′, M] — every
    /// frame (T′ = 5), except for the ablation without fusion outside training, which needs only the
    /// key frame's (T′ = 1).
    /// </summary>
    public override TemporalOutput forward(Tensor features, Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        if (fusion is null && !training)
        {
            (features, heatmaps) = (features.narrow(1, Radius, 1), heatmaps.narrow(1, Radius, 1));
        }

        var (b, t) = (features.size(0), features.size(1));
        var tokens = embedding.call(embedding.Embed(features)).flatten(0, 1); // [B·T, N, D]
        var z = semantic.call(tokens);                                         // [B·T, M]
        var s = transformation.call(tokens);                                   // [B·T, 2, 3]
        var perFrame = heatmaps + AffineTransform.Apply(decoder.call(z), s).view(heatmaps.shape);
        var output = fusion?.call(perFrame) ?? perFrame.select(1, t / 2);
        return new TemporalOutput(output.MoveToOuterDisposeScope(), [perFrame.MoveToOuterDisposeScope(), z.view(b, t, -1).MoveToOuterDisposeScope()]);
    }

    /// <summary>The key frame's heatmap L2, visibility-weighted (L_h2, Eq. 10): what validation reports.</summary>
    public override Tensor Loss(TemporalOutput output, Tensor targets, Tensor weights) =>
        HeatmapTargets.WeightedMse(output.Heatmaps, targets, weights);

    /// <summary>L_t reads the clean frames' features, as the paper reads the (undegraded) video's pixels.</summary>
    public override bool TrainsOnCleanFeatures => true;

    /// <summary>Eq. 11 with L_t added (the text adds it; the equation omits it).</summary>
    public override Tensor TrainingLoss(TemporalOutput output, WindowBatch batch, Random draw)
    {
        using var scope = NewDisposeScope();
        using var terms = LossTerms(output, batch, draw);
        return ((Weights.KeyFrame * terms.KeyFrame) + (Weights.Window * terms.Window) + (Weights.Contrastive * terms.Contrastive)
            + (Weights.Spatial * terms.Spatial) + (Weights.Trajectory * terms.Trajectory)).MoveToOuterDisposeScope();
    }

    /// <summary>Eq. 11's terms, unweighted: L_h2, L_h1, L_c, L_s, L_t.</summary>
    public LossTerms LossTerms(TemporalOutput output, WindowBatch batch, Random draw)
    {
        using var scope = NewDisposeScope();
        var (perFrame, z) = (output.Intermediate[0], output.Intermediate[1]);
        var (b, t) = (perFrame.size(0), perFrame.size(1));
        var (targets, weights) = HeatmapTargets.Gaussian(batch.SlotKeypoints.flatten(0, 1), MapSize);
        var window = HeatmapTargets.WeightedMse(perFrame.flatten(0, 1), targets, weights) * t; // Eq. 9 sums over the window's frames

        // Z′: the key frame's features rotated and scaled, through the same embedding and encoder.
        var keyFeatures = Key(batch.Features);
        var turned = AffineTransform.Apply(keyFeatures, AffineTransform.RandomRotationScale(draw, (int)b, device: keyFeatures.device));
        var turnedTokens = embedding.call(embedding.Embed(turned.unsqueeze(1))).select(1, 0);
        var zTurned = semantic.call(turnedTokens);

        var terms = new LossTerms(
            Loss(output, batch.Targets, batch.Weights),
            window,
            ContinuityLosses.Contrastive(z, Weights.Margin, batch.SlotOwnFrame),
            ContinuityLosses.SpatialConsistency(Key(z), zTurned),
            ContinuityLosses.TrajectoryDifference(perFrame, batch.CleanFeatures ?? throw new ArgumentException("the continuity model's L_t reads the clean frames' features: assemble its windows with withCleanFeatures")));
        terms.MoveToOuterDisposeScope();
        return terms;
    }

    /// <summary>The loss weights and margin, recorded in the trained weights' metadata.</summary>
    public override IReadOnlyDictionary<string, string> TrainingMetadata => new Dictionary<string, string>
    {
        ["loss_weights"] = Weights.ToString(),
    };
}

/// <summary>The terms of Eq. 11 (scalars): L_h2 on the key frame, L_h1 over the window, L_c, L_s, L_t.</summary>
public sealed record LossTerms(Tensor KeyFrame, Tensor Window, Tensor Contrastive, Tensor Spatial, Tensor Trajectory) : IDisposable
{
    public IEnumerable<Tensor> All => [KeyFrame, Window, Contrastive, Spatial, Trajectory];

    public void MoveToOuterDisposeScope()
    {
        foreach (var t in All)
        {
            t.MoveToOuterDisposeScope();
        }
    }

    public void Dispose()
    {
        foreach (var t in All)
        {
            t.Dispose();
        }
    }
}

/// <summary>
/// λ_h2 (key frame), λ_h1 (window), λ_c, λ_s, λ_t and the margin α of Eq. 11. The paper gives no values.
/// λ_h2 = 1 as for the other heads; λ_h1 = 0.2 = 1 / (2T + 1), so the window's five frames weigh as much
/// as the key frame's output; λ_c, λ_s and λ_t so that each term is about a tenth of the heatmap loss at
/// the start of training on the sample (measured and checked by `TemporalTrainingTests.TheContinuityLossTermsAreBalancedAtTheStart`: 0.12, 0.14, 0.10 of L_h2); α = 0.1 on the unit sphere.
/// </summary>
public sealed record LossWeights(double KeyFrame, double Window, double Contrastive, double Spatial, double Trajectory, double Margin)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"h2={KeyFrame} h1={Window} c={Contrastive} s={Spatial} t={Trajectory} margin={Margin}");
}
