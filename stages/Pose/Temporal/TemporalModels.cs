namespace Pipeline.Stages.Pose.Temporal;

/// <summary>The temporal heads by the names the CLI takes.</summary>
public static class TemporalModels
{
    public static readonly string[] Names = [FaSRnet.FaSRnet.ModelName, FaSRnet.FaSRnet.Stride8Name, DSA.DSA.ModelName, DSA.DSA.Stride8Name, VREMD.VREMD.ModelName, VREMD.VREMD.WithoutMotionName, Continuity.Continuity.ModelName, Continuity.Continuity.WithoutFusionName, SDTC.SDTC.ModelName, SDTC.SDTC.WithoutMaskingName];

    /// <summary>Each paper ablation by the full model it ablates: VREMD without BMD, the continuity model without multi-frame heatmap fusion, SDTC without MLSME's masking.</summary>
    public static readonly IReadOnlyDictionary<string, string> Ablations = new Dictionary<string, string>
    {
        [VREMD.VREMD.ModelName] = VREMD.VREMD.WithoutMotionName,
        [Continuity.Continuity.ModelName] = Continuity.Continuity.WithoutFusionName,
        [SDTC.SDTC.ModelName] = SDTC.SDTC.WithoutMaskingName,
    };

    /// <summary>Each stride-8 variant (alignment at 32², for speed) by the full-resolution model it is a variant of.</summary>
    public static readonly IReadOnlyDictionary<string, string> FullResolution = new Dictionary<string, string>
    {
        [FaSRnet.FaSRnet.Stride8Name] = FaSRnet.FaSRnet.ModelName,
        [DSA.DSA.Stride8Name] = DSA.DSA.ModelName,
    };

    /// <summary>The frozen backbone every head was trained on.</summary>
    public const string Backbone = "movenet-thunder";

    /// <summary>
    /// Refuses a weights file (<c>--weights</c>) given with a single-frame model, which has none to replace (without this
    /// check the file would be silently ignored and the run would not be what its command line says), and one the temporal
    /// model cannot load (<see cref="TemporalWeights.CheckOption"/>), before any work starts.
    /// </summary>
    public static void CheckWeightsOption(string model, string? weights)
    {
        if (weights is null)
        {
            return;
        }

        if (!Names.Contains(model))
        {
            throw new ArgumentException($"--weights {weights}: --model {model} takes no weights file (only the temporal models do: {string.Join(", ", Names)})");
        }

        TemporalWeights.CheckOption(weights, model);
    }

    /// <summary>δ of a head by name, without building it.</summary>
    public static int Radius(string name) => name switch
    {
        FaSRnet.FaSRnet.ModelName or FaSRnet.FaSRnet.Stride8Name => 1,
        DSA.DSA.ModelName or DSA.DSA.Stride8Name => 2,
        VREMD.VREMD.ModelName or VREMD.VREMD.WithoutMotionName => 1,
        Continuity.Continuity.ModelName or Continuity.Continuity.WithoutFusionName => 2,
        SDTC.SDTC.ModelName or SDTC.SDTC.WithoutMaskingName => 2,
        _ => throw new ArgumentException($"unknown temporal model '{name}' (known: {string.Join(", ", Names)})"),
    };

    /// <summary>
    /// `train`'s default peak learning rate for a head: 1e-3 for the convolutional heads; 3e-4 for the
    /// transformer heads (VREMD's loss rises at 1e-3, TemporalTrainingTests).
    /// </summary>
    public static double LearningRate(string name) =>
        name is VREMD.VREMD.ModelName or VREMD.VREMD.WithoutMotionName or Continuity.Continuity.ModelName or Continuity.Continuity.WithoutFusionName
            or SDTC.SDTC.ModelName or SDTC.SDTC.WithoutMaskingName ? 3e-4 : 1e-3;

    /// <summary>A fresh head (identity at start) by name; an unknown name is an <see cref="ArgumentException"/> listing the known ones.</summary>
    public static TemporalHead Create(string name) => name switch
    {
        FaSRnet.FaSRnet.ModelName => new FaSRnet.FaSRnet(),
        FaSRnet.FaSRnet.Stride8Name => new FaSRnet.FaSRnet(alignAtStride8: true),
        DSA.DSA.ModelName => new DSA.DSA(),
        DSA.DSA.Stride8Name => new DSA.DSA(alignAtStride8: true),
        VREMD.VREMD.ModelName => new VREMD.VREMD(),
        VREMD.VREMD.WithoutMotionName => new VREMD.VREMD(withMotion: false),
        Continuity.Continuity.ModelName => new Continuity.Continuity(),
        Continuity.Continuity.WithoutFusionName => new Continuity.Continuity(withFusion: false),
        SDTC.SDTC.ModelName => new SDTC.SDTC(),
        SDTC.SDTC.WithoutMaskingName => new SDTC.SDTC(withMasking: false),
        _ => throw new ArgumentException($"unknown temporal model '{name}' (known: {string.Join(", ", Names)})"),
    };
}
