using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Pipeline.Stages.Imaging;

/// <summary>
/// OpenCV (OpenCvSharp4) over our images: a <see cref="Mat"/> that views an <see cref="RgbImage"/>'s
/// pixels in place (pinned, no copy; RGB channel order, which resizing, warping and drawing do not
/// care about), and OpenCV's thread rule — one thread, the caller's: the stages that use OpenCV run
/// on their own threads beside libtorch's workers, and OpenCV's pool would compete with them.
/// </summary>
public static class OpenCvImages
{
    static OpenCvImages() => Cv2.SetNumThreads(1);

    /// <summary>Makes sure OpenCV runs single-threaded; every method here calls it.</summary>
    public static void Configure()
    {
        // The static constructor does the work, once.
    }

    /// <summary>A CV_8UC3 view of <paramref name="image"/>; dispose it before the image is reused.</summary>
    public static PinnedMat View(RgbImage image) => new(image.Pixels, image.Height, image.Width, MatType.CV_8UC3);
}

/// <summary>A <see cref="Mat"/> over a pinned managed array (bytes, floats…): the array cannot move while the Mat lives.</summary>
public sealed class PinnedMat : IDisposable
{
    private GCHandle handle;

    /// <param name="offset">Where the Mat starts, in bytes from the array's start.</param>
    public PinnedMat(Array data, int rows, int columns, MatType type, int offset = 0)
    {
        OpenCvImages.Configure();
        handle = GCHandle.Alloc(data, GCHandleType.Pinned);
        Mat = Mat.FromPixelData(rows, columns, type, handle.AddrOfPinnedObject() + offset);
    }

    public Mat Mat { get; }

    public void Dispose()
    {
        Mat.Dispose();
        if (handle.IsAllocated)
        {
            handle.Free();
        }
    }
}
