namespace Pipeline.Stages.Imaging;

/// <summary>An 8-bit RGB image in row-major HWC order (what FFmpeg's rgb24 gives).</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"image size {width}x{height} is not positive");
        }

        if (pixels.Length != width * height * 3)
        {
            throw new ArgumentException($"{pixels.Length} bytes do not hold a {width}x{height} RGB image ({width * height * 3} bytes)");
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels { get; }

    public RgbImage Clone() => new(Width, Height, (byte[])Pixels.Clone());
}
