namespace Pipeline.Cli.Bench;

/// <summary>What `bench pipeline` runs: the clip and configuration it times, and the memory runs' configuration.</summary>
/// <param name="Video">The sample video; its first <paramref name="Seconds"/> seconds are timed.</param>
/// <param name="Model">Pose model of the throughput part.</param>
/// <param name="Weights">A temporal <paramref name="Model"/>'s weights file (null: the shipped ones); the memory runs use it too when they run the same model.</param>
/// <param name="DetectEvery">--detect-every of the throughput part (the detector is the second-largest CPU cost).</param>
/// <param name="MemoryModel">Pose model of the memory runs.</param>
/// <param name="MemoryDetectEvery">--detect-every of the memory runs (memory does not depend on it; time does).</param>
/// <param name="SkipMemory">Only the throughput part.</param>
/// <param name="Pairs">With a temporal <paramref name="Model"/>: end-to-end runs of it and of Thunder, in pairs whose order alternates; the median of the pairs' ratios is the one compared with the goal.</param>
internal sealed record PipelineBenchmarkSettings(FileInfo Video, int Seconds, string Model, FileInfo? Weights, int DetectEvery, string MemoryModel, int MemoryDetectEvery, bool SkipMemory, int Pairs);
