using Pipeline.Stages.Decode;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Tests;

/// <summary>The sample video from Debian's opencv-doc, and frames decoded from it at test time (cached per run).</summary>
internal static class SampleVideo
{
    public const string Path = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
    private static readonly Dictionary<int, Task<RgbImage>> Frames = [];

    public static Task<RgbImage> FrameAsync(int index)
    {
        lock (Frames)
        {
            if (!Frames.TryGetValue(index, out var frame))
            {
                Frames[index] = frame = StillFrames.ReadAsync(Path, index);
            }

            return frame;
        }
    }
}
