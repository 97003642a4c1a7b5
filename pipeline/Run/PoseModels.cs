using Pipeline.Graph.Stages;
using Pipeline.Stages.Models;
using Pipeline.Stages.Pose;
using Pipeline.Stages.Pose.Temporal;

namespace Pipeline.Graph.Run;

/// <summary>Pose models by name, and the window shape, worker and row name each runs with in the graph.</summary>
public static class PoseModels
{
    /// <summary>MoveNet by its graph name, or a temporal head (<see cref="TemporalModels.Names"/>) on MoveNet Thunder with its weights.</summary>
    public static IPoseModel Load(ModelStore store, PrelabelOptions options, TorchSharp.torch.Device device) =>
        TemporalModels.Names.Contains(options.Model)
            ? new TemporalPoseModel(store.GraphModel(TemporalModels.Backbone), options.Weights ?? store.TemporalWeights(options.Model), options.Model, device)
            : new MoveNetPoseModel(store.GraphModel(options.Model), device);

    /// <summary>Whether the model runs the framework's way: one own-box crop per person-frame, per-track state in the worker.</summary>
    public static bool OwnBox(IPoseModel model, PrelabelOptions options) => model is TemporalPoseModel && options.NeighbourCrops == NeighbourCrops.OwnBox;

    /// <summary>The window stage's settings: one crop per person-frame, or 2δ+1 crops with the key box (key-box temporal models).</summary>
    public static WindowOptions Windows(IPoseModel model, PrelabelOptions options) =>
        new() { Radius = OwnBox(model, options) ? 0 : model.Radius, CropSize = model.InputSize };

    public static IPoseWorker Worker(IPoseModel model, PrelabelOptions options) =>
        OwnBox(model, options) ? new TemporalPoseWorker((TemporalPoseModel)model, options.MaxPoseBatch) : new PoseWorker(model);

    /// <summary>The model name rows record: a key-box temporal model says so.</summary>
    public static string RowName(IPoseModel model, PrelabelOptions options) =>
        model is TemporalPoseModel && !OwnBox(model, options) ? model.Name + "+key-box" : model.Name;
}
