namespace Pipeline.Graph;

/// <summary>How a temporal model's neighbour frames are cropped.</summary>
public enum NeighbourCrops
{
    /// <summary>Each person-frame once with its own box; neighbours' maps resampled onto the key crop (one backbone pass per person-frame).</summary>
    OwnBox,

    /// <summary>The papers' way: every neighbour cropped with the key frame's box, the backbone run 2δ+1 times per person-frame.</summary>
    KeyBox,
}

/// <summary>Settings of the prelabel graph (command-line flags map onto these).</summary>
public sealed class PrelabelOptions
{
    /// <summary>Where the Parquet files and run-manifest.json go (required): a folder, or az://container/prefix.</summary>
    public string Output { get; set; } = "";

    /// <summary>
    /// Scratch space for downloaded blob inputs and for results on their way to blob storage (default:
    /// a new folder under the system temp folder, removed at the end). Holds about ParallelVideos × 2 videos.
    /// </summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Pose model name (default movenet-thunder).</summary>
    public string Model { get; set; } = "movenet-thunder";

    /// <summary>
    /// How a temporal model's neighbour frames are cropped (default <see cref="NeighbourCrops.OwnBox"/>:
    /// each person-frame once with its own box, the backbone once per person-frame).
    /// </summary>
    public NeighbourCrops NeighbourCrops { get; set; } = NeighbourCrops.OwnBox;

    /// <summary>A temporal model's weights file (default: the shipped ones, temporal/MODEL.safetensors in the model cache).</summary>
    public string? Weights { get; set; }

    /// <summary>Run the detector on every k-th frame; the tracker predicts boxes in between (default 1: every frame).</summary>
    public int DetectEvery { get; set; } = 1;

    /// <summary>
    /// Frames per second of frame-folder inputs (folders of numbered images), whose images carry no
    /// timing (default 25, <see cref="Pipeline.Stages.Decode.FrameFolder.DefaultFrameRate"/>): presentation times are
    /// index ÷ rate, and the tracker's timeouts are in seconds. Videos keep their own timing.
    /// </summary>
    public double FrameRate { get; set; } = Pipeline.Stages.Decode.FrameFolder.DefaultFrameRate;

    /// <summary>Frames per detector call (default 4).</summary>
    public int DetectBatch { get; set; } = 4;

    /// <summary>Windows per pose-model call, at most (default 8). Batches never mix videos, so results do not depend on timing.</summary>
    public int MaxPoseBatch { get; set; } = 8;

    /// <summary>Videos decoded at once (default 2).</summary>
    public int ParallelVideos { get; set; } = 2;

    /// <summary>Devices for pose workers, one worker each (default: ["cpu"]).</summary>
    public IReadOnlyList<string> Devices { get; set; } = ["cpu"];

    /// <summary>Recompute videos whose Parquet file already exists (default false: skip them).</summary>
    public bool Force { get; set; }

    /// <summary>Name of the run manifest in the output folder (default run-manifest.json; shards use their own).</summary>
    public string ManifestName { get; set; } = "run-manifest.json";

    /// <summary>Messages each block may hold (default 16): bounds memory, whatever the video length.</summary>
    public int BoundedCapacity { get; set; } = 16;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Output))
        {
            throw new ArgumentException("an output is required (--output: a folder or az://container/prefix)");
        }

        if (DetectEvery < 1 || DetectBatch < 1 || MaxPoseBatch < 1 || ParallelVideos < 1 || BoundedCapacity < 1)
        {
            throw new ArgumentException("detect-every, detect-batch, max-batch, parallel-videos and bounded capacity must be at least 1");
        }

        if (!(FrameRate > 0 && FrameRate <= 1000))
        {
            throw new ArgumentException($"--frame-rate {FrameRate}: must be above 0 (and at most 1000) frames per second");
        }

        if (Devices.Count == 0)
        {
            throw new ArgumentException("at least one device is required");
        }

        Pipeline.Stages.Pose.Temporal.TemporalModels.CheckWeightsOption(Model, Weights);

        // A device this machine lacks is refused before any work (libtorch would fail deep in a model).
        foreach (var device in Devices)
        {
            Pipeline.Torch.TorchDevices.Check(device);
        }
    }
}
