using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Pipeline.Stages.Pose.Temporal.SDTC;

/// <summary>
/// Spatial-motion mutual learning (Section 3.2): each frame's tokens of R (spatial) and M (motion)
/// reshaped to maps and concatenated along the channels, a 1×1 conv each → R̄, M̄ [C, g, g]; self-feature
/// refinement per modality; SMCA both ways (R̃ = SMCA(R̄̄, M̄̄), M̃ = SMCA(M̄̄, R̄̄), Eq. 10); adaptive fusion → F.
/// </summary>
public sealed class SMML : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Conv2d spatialAggregation;
    private readonly Conv2d motionAggregation;
    private readonly SelfFeatureRefinement spatialRefinement;
    private readonly SelfFeatureRefinement motionRefinement;
    private readonly SMCA spatialFromMotion;
    private readonly SMCA motionFromSpatial;
    private readonly AdaptiveFeatureFusion fusion;
    private readonly int grid;

    public SMML(string name, int width, int frames, int channels, int grid)
        : base(name)
    {
        this.grid = grid;
        spatialAggregation = nn.Conv2d(frames * width, channels, 1);
        motionAggregation = nn.Conv2d(frames * width, channels, 1);
        spatialRefinement = new SelfFeatureRefinement("spatial_refinement", channels);
        motionRefinement = new SelfFeatureRefinement("motion_refinement", channels);
        spatialFromMotion = new SMCA("SMCA_spatial", channels);
        motionFromSpatial = new SMCA("SMCA_motion", channels);
        fusion = new AdaptiveFeatureFusion("fusion", channels);
        RegisterComponents();
    }

    /// <summary>R and M [B, T, L, D] → F [B, C, g, g].</summary>
    public override Tensor forward(Tensor spatial, Tensor motion)
    {
        using var scope = NewDisposeScope();
        Tensor Maps(Tensor tokens) => tokens.permute(0, 1, 3, 2).reshape(tokens.size(0), tokens.size(1) * tokens.size(3), grid, grid); // [B, T·D, g, g]
        var r = spatialRefinement.call(spatialAggregation.call(Maps(spatial)));
        var m = motionRefinement.call(motionAggregation.call(Maps(motion)));
        return fusion.call(spatialFromMotion.call(r, m), motionFromSpatial.call(m, r)).MoveToOuterDisposeScope();
    }
}
