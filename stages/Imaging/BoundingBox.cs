namespace Pipeline.Stages.Imaging;

/// <summary>An axis-aligned box in frame pixels: (X1, Y1) top-left, (X2, Y2) bottom-right corner (exclusive edges).</summary>
public readonly record struct BoundingBox(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;

    public float Height => Y2 - Y1;

    public float CenterX => (X1 + X2) / 2;

    public float CenterY => (Y1 + Y2) / 2;

    public float Area => Math.Max(Width, 0) * Math.Max(Height, 0);

    public static BoundingBox FromCenter(float cx, float cy, float width, float height) =>
        new(cx - (width / 2), cy - (height / 2), cx + (width / 2), cy + (height / 2));

    /// <summary>Intersection over union (0 when either box is empty).</summary>
    public float IoU(BoundingBox other)
    {
        var w = Math.Min(X2, other.X2) - Math.Max(X1, other.X1);
        var h = Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var intersection = w * h;
        return intersection / (Area + other.Area - intersection);
    }

    /// <summary>
    /// The top-down crop region: the box scaled by <paramref name="scale"/> about its centre and
    /// widened to the model's aspect ratio (width ÷ height), as the pose models of this family do.
    /// </summary>
    public BoundingBox ToCropRegion(float scale = 1.25f, float aspect = 1f)
    {
        var w = Width * scale;
        var h = Height * scale;
        if (w > aspect * h)
        {
            h = w / aspect;
        }
        else
        {
            w = h * aspect;
        }

        return FromCenter(CenterX, CenterY, w, h);
    }

    public BoundingBox Clamp(int width, int height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));

    public override string ToString() => FormattableString.Invariant($"[{X1:F1}, {Y1:F1}, {X2:F1}, {Y2:F1}]");
}
