namespace Pipeline.Stages.Imaging;

/// <summary>A 3×5 bitmap font for digits and '#', enough to label track ids on overlays.</summary>
public static class DigitFont
{
    private static readonly Dictionary<char, string[]> Glyphs = new()
    {
        ['0'] = ["###", "#.#", "#.#", "#.#", "###"],
        ['1'] = [".#.", "##.", ".#.", ".#.", "###"],
        ['2'] = ["###", "..#", "###", "#..", "###"],
        ['3'] = ["###", "..#", "###", "..#", "###"],
        ['4'] = ["#.#", "#.#", "###", "..#", "..#"],
        ['5'] = ["###", "#..", "###", "..#", "###"],
        ['6'] = ["###", "#..", "###", "#.#", "###"],
        ['7'] = ["###", "..#", "..#", ".#.", ".#."],
        ['8'] = ["###", "#.#", "###", "#.#", "###"],
        ['9'] = ["###", "#.#", "###", "..#", "###"],
        ['#'] = ["#.#", "###", "#.#", "###", "#.#"],
    };

    /// <summary>Draws <paramref name="text"/> with its top-left at (x, y), each font pixel a <paramref name="scale"/>² block, on a dark backing.</summary>
    public static void Draw(RgbImage image, int x, int y, string text, (byte R, byte G, byte B) color, int scale = 3)
    {
        var width = (text.Length * 4 * scale) + scale;
        Fill(image, x - scale, y - scale, width, (7 * scale), (0, 0, 0));
        for (var i = 0; i < text.Length; i++)
        {
            if (!Glyphs.TryGetValue(text[i], out var glyph))
            {
                continue;
            }

            for (var row = 0; row < 5; row++)
                for (var column = 0; column < 3; column++)
                {
                    if (glyph[row][column] == '#')
                    {
                        Fill(image, x + (((i * 4) + column) * scale), y + (row * scale), scale, scale, color);
                    }
                }
        }
    }

    private static void Fill(RgbImage image, int x, int y, int w, int h, (byte R, byte G, byte B) color)
    {
        for (var yy = Math.Max(y, 0); yy < Math.Min(y + h, image.Height); yy++)
            for (var xx = Math.Max(x, 0); xx < Math.Min(x + w, image.Width); xx++)
            {
                var o = ((yy * image.Width) + xx) * 3;
                image.Pixels[o] = color.R;
                image.Pixels[o + 1] = color.G;
                image.Pixels[o + 2] = color.B;
            }
    }
}
