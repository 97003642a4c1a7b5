using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.Stages.Imaging;

/// <summary>
/// Crop-and-resize of one region of an <see cref="RgbImage"/> straight into 8-bit channels-first
/// pixels, in plain C#. Same sampling as <see cref="ImageTensors.CropAndResize"/> (bilinear at
/// pixel centres, black outside the frame) followed by rounding half to even, but without libtorch:
/// the window stage cuts one small crop per person per frame, and as torch ops each crop cost
/// ~2.5 ms of CPU (tensor set-up, a float copy of the region, a parallel grid_sample whose worker
/// threads compete with the pose model's). Here it is one pass over the output pixels on the
/// calling thread.
/// </summary>
public static class CropSampler
{
    /// <summary>
    /// Writes the <paramref name="size"/> x <paramref name="size"/> crop of <paramref name="region"/>
    /// as [3, size, size] bytes (R plane, G plane, B plane) into <paramref name="destination"/>.
    /// </summary>
    public static void CropAndResize(RgbImage image, BoundingBox region, int size, Span<byte> destination)
    {
        var plane = size * size;
        if (size < 1 || destination.Length < 3 * plane)
        {
            throw new ArgumentException($"a {size}x{size} crop needs {3 * plane} bytes, the destination has {destination.Length}");
        }

        // Output pixel j samples the source at x1 + (j + 0.5)·w/size − 0.5 (pixel centres onto pixel
        // centres), the same point affine_grid + grid_sample (align_corners = false) sample.
        var columns = Taps(region.X1, region.Width, size, image.Width, 3);
        var rows = Taps(region.Y1, region.Height, size, image.Height, image.Width * 3);
        // Unchecked reads and writes: every offset in the taps lies inside the image (see Taps) and
        // the destination's length was checked above. With bounds checks this loop ran ~2x slower.
        ref var source = ref MemoryMarshal.GetArrayDataReference(image.Pixels);
        ref var red = ref MemoryMarshal.GetReference(destination);
        ref var green = ref Unsafe.Add(ref red, plane);
        ref var blue = ref Unsafe.Add(ref green, plane);
        for (var i = 0; i < size; i++)
        {
            var row = rows[i];
            ref var top = ref Unsafe.Add(ref source, row.Near);
            ref var bottom = ref Unsafe.Add(ref source, row.Far);
            var output = i * size;
            for (var j = 0; j < size; j++)
            {
                var column = columns[j];
                Unsafe.Add(ref red, output + j) = Sample(ref top, ref bottom, row, column, 0);
                Unsafe.Add(ref green, output + j) = Sample(ref top, ref bottom, row, column, 1);
                Unsafe.Add(ref blue, output + j) = Sample(ref top, ref bottom, row, column, 2);
            }
        }
    }

    // A convex combination of bytes (weights sum to at most 1) stays within 0–255: no clamp needed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Sample(ref byte top, ref byte bottom, Tap row, Tap column, int channel)
    {
        var upper = (column.NearWeight * Unsafe.Add(ref top, column.Near + channel)) + (column.FarWeight * Unsafe.Add(ref top, column.Far + channel));
        var lower = (column.NearWeight * Unsafe.Add(ref bottom, column.Near + channel)) + (column.FarWeight * Unsafe.Add(ref bottom, column.Far + channel));
        return (byte)MathF.Round((row.NearWeight * upper) + (row.FarWeight * lower));
    }

    /// <summary>
    /// One output coordinate's two source neighbours (as byte offsets) and their bilinear weights.
    /// A neighbour outside the image gets weight 0 (black padding) and a valid offset, so the inner
    /// loop needs no bounds checks of its own.
    /// </summary>
    private readonly record struct Tap(int Near, float NearWeight, int Far, float FarWeight);

    private static Tap[] Taps(float start, float extent, int size, int limit, int stride)
    {
        var taps = new Tap[size];
        for (var j = 0; j < size; j++)
        {
            var source = start + ((j + 0.5) * extent / size) - 0.5;
            var near = (int)Math.Floor(source);
            var far = near + 1;
            var farWeight = (float)(source - near);
            var nearWeight = 1 - farWeight;
            if (near < 0 || near >= limit)
            {
                nearWeight = 0;
                near = 0;
            }

            if (far < 0 || far >= limit)
            {
                farWeight = 0;
                far = 0;
            }

            taps[j] = new Tap(near * stride, nearWeight, far * stride, farWeight);
        }

        return taps;
    }
}
