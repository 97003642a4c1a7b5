using System.Globalization;
using OpenCvSharp;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Degrade;

/// <summary>The ways a frame is spoilt in training and in the temporal bench.</summary>
public enum DegradationKind
{
    MotionBlur,
    Defocus,
    Noise,
    Jpeg,
    LowLight,
    Occlusion,
}

/// <summary>
/// One degradation at a fixed, documented severity (1 mild, 2 medium, 3 strong), applied to a person
/// crop (256² for MoveNet Thunder; sizes scale with the crop's side) with OpenCV on the calling thread:
/// <list type="table">
/// <item><term>motion blur</term><description>a line kernel of 7 / 13 / 21 px (at 256²) at a random angle</description></item>
/// <item><term>defocus</term><description>a disc kernel of radius 3 / 5 / 8 px</description></item>
/// <item><term>noise</term><description>Gaussian, σ = 10 / 20 / 35 grey levels, per channel</description></item>
/// <item><term>JPEG</term><description>re-encoded at quality 25 / 12 / 6</description></item>
/// <item><term>low light</term><description>brightness × 0.5 / 0.3 / 0.15, then sensor noise σ = 3 / 5 / 8</description></item>
/// <item><term>occlusion</term><description>a mid-grey rectangle over 10 / 20 / 35 % of the crop, placed at random over its central half</description></item>
/// </list>
/// Random choices come from the caller's <see cref="Random"/>, so a seeded run repeats exactly.
/// </summary>
public readonly record struct Degradation(DegradationKind Kind, int Severity)
{
    public static readonly DegradationKind[] Kinds = Enum.GetValues<DegradationKind>();

    /// <summary>Severities 1, 2 and 3.</summary>
    public static readonly int[] Severities = [1, 2, 3];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind} {Severity}");

    /// <summary>Degrades <paramref name="image"/> in place.</summary>
    public void Apply(RgbImage image, Random random)
    {
        if (Severity is < 1 or > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(Severity), Severity, "severity is 1, 2 or 3");
        }

        var scale = Math.Min(image.Width, image.Height) / 256.0;
        var level = Severity - 1;
        using var view = OpenCvImages.View(image);
        var mat = view.Mat;
        switch (Kind)
        {
            case DegradationKind.MotionBlur:
                MotionBlur(mat, Odd(new[] { 7, 13, 21 }[level] * scale), random.NextDouble() * Math.PI);
                break;
            case DegradationKind.Defocus:
                Defocus(mat, Math.Max(1, (int)Math.Round(new[] { 3, 5, 8 }[level] * scale)));
                break;
            case DegradationKind.Noise:
                AddNoise(mat, new[] { 10.0, 20, 35 }[level], random);
                break;
            case DegradationKind.Jpeg:
                Jpeg(mat, new[] { 25, 12, 6 }[level]);
                break;
            case DegradationKind.LowLight:
                mat.ConvertTo(mat, MatType.CV_8UC3, new[] { 0.5, 0.3, 0.15 }[level]);
                AddNoise(mat, new[] { 3.0, 5, 8 }[level], random);
                break;
            case DegradationKind.Occlusion:
                Occlude(mat, new[] { 0.10, 0.20, 0.35 }[level], random);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown degradation");
        }
    }

    private static int Odd(double size) => Math.Max(3, ((int)Math.Round(size) / 2 * 2) + 1);

    private static void MotionBlur(Mat image, int length, double angle)
    {
        using var kernel = new Mat(length, length, MatType.CV_32FC1, Scalar.All(0));
        var c = length / 2;
        var (dx, dy) = (Math.Cos(angle) * c, Math.Sin(angle) * c);
        Cv2.Line(kernel, new Point((int)Math.Round(c - dx), (int)Math.Round(c - dy)), new Point((int)Math.Round(c + dx), (int)Math.Round(c + dy)), Scalar.All(1), 1, LineTypes.AntiAlias);
        Cv2.Divide(kernel, Cv2.Sum(kernel), kernel);
        Cv2.Filter2D(image, image, -1, kernel, borderType: BorderTypes.Reflect101);
    }

    private static void Defocus(Mat image, int radius)
    {
        var size = (2 * radius) + 1;
        using var kernel = new Mat(size, size, MatType.CV_32FC1, Scalar.All(0));
        Cv2.Circle(kernel, new Point(radius, radius), radius, Scalar.All(1), -1, LineTypes.AntiAlias);
        Cv2.Divide(kernel, Cv2.Sum(kernel), kernel);
        Cv2.Filter2D(image, image, -1, kernel, borderType: BorderTypes.Reflect101);
    }

    private static void AddNoise(Mat image, double sigma, Random random)
    {
        // Noise from the caller's Random (OpenCV's own RNG is global state): seeded runs repeat.
        var noise = new float[image.Rows * image.Cols * 3];
        for (var i = 0; i < noise.Length; i += 2)
        {
            // Box–Muller: two normal samples per pair of uniforms.
            var u = 1 - random.NextDouble();
            var v = random.NextDouble();
            var r = Math.Sqrt(-2 * Math.Log(u)) * sigma;
            noise[i] = (float)(r * Math.Cos(2 * Math.PI * v));
            if (i + 1 < noise.Length)
            {
                noise[i + 1] = (float)(r * Math.Sin(2 * Math.PI * v));
            }
        }

        using var pinned = new PinnedMat(noise, image.Rows, image.Cols, MatType.CV_32FC3);
        using var floats = new Mat();
        image.ConvertTo(floats, MatType.CV_32FC3);
        Cv2.Add(floats, pinned.Mat, floats);
        floats.ConvertTo(image, MatType.CV_8UC3); // saturates to 0–255
    }

    private static void Jpeg(Mat image, int quality)
    {
        Cv2.ImEncode(".jpg", image, out var bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        using var decoded = Cv2.ImDecode(bytes, ImreadModes.Color);
        decoded.CopyTo(image);
    }

    private static void Occlude(Mat image, double share, Random random)
    {
        // A rectangle of the given share of the area, aspect 0.5–2, its centre in the crop's central half.
        var area = share * image.Rows * image.Cols;
        var aspect = Math.Exp((random.NextDouble() * 2 - 1) * Math.Log(2));
        var w = (int)Math.Min(image.Cols, Math.Round(Math.Sqrt(area * aspect)));
        var h = (int)Math.Min(image.Rows, Math.Round(area / Math.Max(w, 1)));
        var cx = (image.Cols / 4) + random.Next(Math.Max(1, image.Cols / 2));
        var cy = (image.Rows / 4) + random.Next(Math.Max(1, image.Rows / 2));
        var x = Math.Clamp(cx - (w / 2), 0, image.Cols - w);
        var y = Math.Clamp(cy - (h / 2), 0, image.Rows - h);
        Cv2.Rectangle(image, new Rect(x, y, w, h), Scalar.All(128), -1);
    }
}
