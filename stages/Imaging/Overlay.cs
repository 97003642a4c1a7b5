using Pipeline.Stages.Pose;

namespace Pipeline.Stages.Imaging;

/// <summary>Draws boxes, skeletons and keypoints onto an RGB image, for visual checks.</summary>
public static class Overlay
{
    private static readonly (byte R, byte G, byte B)[] Palette =
    [
        (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
        (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (170, 110, 40),
    ];

    public static (byte R, byte G, byte B) Color(int index) => Palette[((index % Palette.Length) + Palette.Length) % Palette.Length];

    /// <summary>Draws a pose: its box, limbs between keypoints above <paramref name="minScore"/>, and the keypoints.</summary>
    public static void DrawPose(RgbImage image, PersonPose pose, int colorIndex, float minScore = 0.2f)
    {
        var color = Color(colorIndex);
        DrawRectangle(image, pose.Box, color, 2);
        foreach (var (from, to) in CocoKeypoints.Skeleton)
        {
            var a = pose.Keypoints[from];
            var b = pose.Keypoints[to];
            if (a.Score >= minScore && b.Score >= minScore)
            {
                DrawLine(image, a.X, a.Y, b.X, b.Y, color, 3);
            }
        }

        foreach (var k in pose.Keypoints.Where(k => k.Score >= minScore))
        {
            FillCircle(image, k.X, k.Y, 4, (255, 255, 255));
            FillCircle(image, k.X, k.Y, 2, color);
        }
    }

    public static void DrawRectangle(RgbImage image, BoundingBox box, (byte R, byte G, byte B) color, int thickness)
    {
        DrawLine(image, box.X1, box.Y1, box.X2, box.Y1, color, thickness);
        DrawLine(image, box.X2, box.Y1, box.X2, box.Y2, color, thickness);
        DrawLine(image, box.X2, box.Y2, box.X1, box.Y2, color, thickness);
        DrawLine(image, box.X1, box.Y2, box.X1, box.Y1, color, thickness);
    }

    public static void DrawLine(RgbImage image, float x0, float y0, float x1, float y1, (byte R, byte G, byte B) color, int thickness)
    {
        var steps = (int)Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0))) + 1;
        for (var i = 0; i <= steps; i++)
        {
            var t = (float)i / steps;
            FillCircle(image, x0 + ((x1 - x0) * t), y0 + ((y1 - y0) * t), thickness / 2f, color);
        }
    }

    public static void FillCircle(RgbImage image, float cx, float cy, float radius, (byte R, byte G, byte B) color)
    {
        var r = Math.Max(radius, 0.5f);
        for (var y = (int)Math.Floor(cy - r); y <= (int)Math.Ceiling(cy + r); y++)
        {
            for (var x = (int)Math.Floor(cx - r); x <= (int)Math.Ceiling(cx + r); x++)
            {
                if (x < 0 || y < 0 || x >= image.Width || y >= image.Height || ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) > r * r)
                {
                    continue;
                }

                var o = ((y * image.Width) + x) * 3;
                image.Pixels[o] = color.R;
                image.Pixels[o + 1] = color.G;
                image.Pixels[o + 2] = color.B;
            }
        }
    }
}
