using OpenCvSharp;
using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Imaging;

/// <summary>Draws boxes, skeletons, keypoints and track ids onto an RGB image with OpenCV, for visual checks.</summary>
public static class Overlay
{
    private static readonly (byte R, byte G, byte B)[] Palette =
    [
        (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
        (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (170, 110, 40),
    ];

    public static (byte R, byte G, byte B) Color(int index) => Palette[((index % Palette.Length) + Palette.Length) % Palette.Length];

    // The image is RGB, so colours go in R, G, B order.
    private static Scalar Cv((byte R, byte G, byte B) c) => new(c.R, c.G, c.B);

    private static Point At(float x, float y) => new((int)MathF.Round(x), (int)MathF.Round(y));

    /// <summary>
    /// Draws a pose: its box, limbs between keypoints above <paramref name="minScore"/>, the keypoints,
    /// and, when given, <paramref name="label"/> (a track id) on a dark backing above the box.
    /// </summary>
    public static void DrawPose(RgbImage image, PersonPose pose, int colorIndex, float minScore = 0.2f, string? label = null)
    {
        var color = Cv(Color(colorIndex));
        using var canvas = OpenCvImages.View(image);
        var mat = canvas.Mat;
        Cv2.Rectangle(mat, At(pose.Box.X1, pose.Box.Y1), At(pose.Box.X2, pose.Box.Y2), color, 2, LineTypes.AntiAlias);
        foreach (var (from, to) in CocoKeypoints.Skeleton)
        {
            var a = pose.Keypoints[from];
            var b = pose.Keypoints[to];
            if (a.Score >= minScore && b.Score >= minScore)
            {
                Cv2.Line(mat, At(a.X, a.Y), At(b.X, b.Y), color, 3, LineTypes.AntiAlias);
            }
        }

        foreach (var k in pose.Keypoints.Where(k => k.Score >= minScore))
        {
            Cv2.Circle(mat, At(k.X, k.Y), 4, Scalar.White, -1, LineTypes.AntiAlias);
            Cv2.Circle(mat, At(k.X, k.Y), 2, color, -1, LineTypes.AntiAlias);
        }

        if (label is not null)
        {
            var size = Cv2.GetTextSize(label, HersheyFonts.HersheySimplex, 0.6, 2, out var baseline);
            var corner = At(pose.Box.X1, pose.Box.Y1 - 4);
            Cv2.Rectangle(mat, new Point(corner.X - 2, corner.Y - size.Height - 4), new Point(corner.X + size.Width + 2, corner.Y + baseline - 2), Scalar.Black, -1);
            Cv2.PutText(mat, label, new Point(corner.X, corner.Y - 2), HersheyFonts.HersheySimplex, 0.6, color, 2, LineTypes.AntiAlias);
        }
    }
}
