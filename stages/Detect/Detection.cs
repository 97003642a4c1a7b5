using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Detect;

/// <summary>A detected person: box in original frame pixels and the detector's score (0–1).</summary>
public readonly record struct Detection(BoundingBox Box, float Score);
