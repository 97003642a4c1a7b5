using Pipeline.Stages.Degrade;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Tests;

/// <summary>Each degradation does what its name says, harder with each severity, the same way for the same seed.</summary>
public sealed class DegradationTests
{
    private static async Task<RgbImage> CropAsync()
    {
        var frame = await SampleVideo.FrameAsync(240);
        var region = new BoundingBox(300, 120, 460, 400);
        var crop = CropSampler.CropImage(frame, region, 256);
        var planes = new byte[3 * 256 * 256];
        CropSampler.ToPlanes(crop, planes);
        Assert.Equal(CropSampler.Crops(frame, [region], 256), planes); // the same crop either way
        return crop;
    }

    private static RgbImage Degraded(RgbImage source, DegradationKind kind, int severity, int seed = 5)
    {
        var copy = source.Clone();
        new Degradation(kind, severity).Apply(copy, new Random(seed));
        return copy;
    }

    private static double MeanAbsDifference(RgbImage a, RgbImage b) => a.Pixels.Zip(b.Pixels).Average(p => Math.Abs(p.First - p.Second));

    // Sharpness: mean squared difference between horizontal neighbours (blur lowers it).
    private static double Sharpness(RgbImage image)
    {
        double sum = 0;
        for (var y = 0; y < image.Height; y++)
            for (var x = 1; x < image.Width; x++)
            {
                var d = image.Pixels[((y * image.Width) + x) * 3] - image.Pixels[((y * image.Width) + x - 1) * 3];
                sum += d * d;
            }

        return sum / (image.Height * (image.Width - 1));
    }

    [Theory]
    [InlineData(DegradationKind.MotionBlur)]
    [InlineData(DegradationKind.Defocus)]
    public async Task BlursLoseSharpnessWithSeverity(DegradationKind kind)
    {
        var crop = await CropAsync();
        var sharpness = Degradation.Severities.Select(s => Sharpness(Degraded(crop, kind, s))).Prepend(Sharpness(crop)).ToList();
        Assert.True(sharpness.Zip(sharpness.Skip(1)).All(p => p.Second < p.First), string.Join(" > ", sharpness.Select(v => v.ToString("F1"))));
    }

    [Fact]
    public void NoiseHasTheDocumentedSpread()
    {
        // A mid-grey image, so no value is clipped: the differences' standard deviation is σ.
        var grey = new RgbImage(256, 256, Enumerable.Repeat((byte)128, 256 * 256 * 3).ToArray());
        foreach (var (severity, sigma) in new[] { (1, 10.0), (2, 20.0), (3, 35.0) })
        {
            var noisy = Degraded(grey, DegradationKind.Noise, severity);
            var deviation = Math.Sqrt(noisy.Pixels.Average(p => (p - 128.0) * (p - 128.0)));
            Assert.InRange(deviation, sigma * 0.97, sigma * 1.03);
        }
    }

    [Fact]
    public async Task JpegLowLightAndOcclusionGrowWithSeverity()
    {
        var crop = await CropAsync();
        var jpeg = Degradation.Severities.Select(s => MeanAbsDifference(crop, Degraded(crop, DegradationKind.Jpeg, s))).ToList();
        Assert.True(jpeg[0] > 0.5 && jpeg[0] < jpeg[1] && jpeg[1] < jpeg[2], string.Join(" < ", jpeg));

        var brightness = Degradation.Severities.Select(s => Degraded(crop, DegradationKind.LowLight, s).Pixels.Average(p => (double)p)).ToList();
        var original = crop.Pixels.Average(p => (double)p);
        Assert.InRange(brightness[0] / original, 0.45, 0.56);
        Assert.InRange(brightness[2] / original, 0.12, 0.2);

        foreach (var (severity, share) in new[] { (1, 0.10), (2, 0.20), (3, 0.35) })
        {
            var occluded = Degraded(crop, DegradationKind.Occlusion, severity);
            var grey = Enumerable.Range(0, 256 * 256).Count(i => occluded.Pixels[i * 3] == 128 && occluded.Pixels[(i * 3) + 1] == 128 && occluded.Pixels[(i * 3) + 2] == 128);
            Assert.InRange(grey / (256.0 * 256), share * 0.9, share * 1.1);
        }
    }

    [Fact]
    public async Task TheSameSeedGivesTheSameImageAndAnotherSeedAnother()
    {
        var crop = await CropAsync();
        foreach (var kind in Degradation.Kinds)
        {
            Assert.Equal(Degraded(crop, kind, 2, seed: 9).Pixels, Degraded(crop, kind, 2, seed: 9).Pixels);
        }

        Assert.NotEqual(Degraded(crop, DegradationKind.Noise, 2, seed: 1).Pixels, Degraded(crop, DegradationKind.Noise, 2, seed: 2).Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Degradation(DegradationKind.Noise, 4).Apply(crop.Clone(), new Random(1)));
    }
}
