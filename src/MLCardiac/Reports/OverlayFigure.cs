using SkiaSharp;

namespace MLCardiac.Reports;

/// <summary>
/// Draws a slice in grey (1st–99th percentile window) with the contours of the reference labels (solid) and of the
/// prediction (dashed-looking thin lines in a second colour) — LV blood pool, myocardium and RV each in its own hue.
/// </summary>
public static class OverlayFigure
{
    /// <summary>Reference contour colours: LV, MYO, RV.</summary>
    public static IReadOnlyList<string> TruthColors { get; } = ["#00e000", "#ffd700", "#00bfff"];

    /// <summary>Prediction contour colours: LV, MYO, RV.</summary>
    public static IReadOnlyList<string> PredictedColors { get; } = ["#ff3030", "#ff8c00", "#ff40ff"];

    /// <summary>Renders <paramref name="panel"/> as a PNG about <paramref name="targetSize"/> pixels on its long side.</summary>
    public static byte[] Render(OverlayPanel panel, int targetSize = 192)
    {
        ArgumentNullException.ThrowIfNull(panel);
        int w = panel.Width, h = panel.Height;
        if (panel.Image.Length != w * h || panel.Truth.Length != w * h || panel.Predicted.Length != w * h)
            throw new ArgumentException($"The panel's arrays must hold {w}×{h} values.", nameof(panel));
        int k = Math.Max(1, (int)Math.Ceiling(targetSize / (double)Math.Max(w, h)));
        float[] sorted = (float[])panel.Image.Clone();
        Array.Sort(sorted);
        float lo = sorted[(int)(0.01 * (sorted.Length - 1))], hi = sorted[(int)(0.99 * (sorted.Length - 1))];
        float range = Math.Max(hi - lo, 1e-6f);
        using var bitmap = new SKBitmap(w * k, h * k, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var fill = new SKPaint { IsAntialias = false };
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    byte g = (byte)Math.Clamp((panel.Image[y * w + x] - lo) / range * 255, 0, 255);
                    fill.Color = new SKColor(g, g, g);
                    canvas.DrawRect(x * k, y * k, k, k, fill);
                }
            DrawContours(canvas, panel.Truth, w, h, k, TruthColors, Math.Max(2f, k * 0.7f));
            DrawContours(canvas, panel.Predicted, w, h, k, PredictedColors, Math.Max(1f, k * 0.35f));
        }
        using SKImage image = SKImage.FromBitmap(bitmap);
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Draws the pixel-edge boundary of each label 1–3: an edge wherever a pixel of the label meets one that is not.</summary>
    private static void DrawContours(SKCanvas canvas, byte[] labels, int w, int h, int k, IReadOnlyList<string> colors, float width)
    {
        for (int label = 1; label <= 3; label++)
        {
            using var paint = new SKPaint { Color = SKColor.Parse(colors[label - 1]), StrokeWidth = width, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Square };
            using var path = new SKPath();
            bool At(int x, int y) => x >= 0 && y >= 0 && x < w && y < h && labels[y * w + x] == label;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    if (!At(x, y)) continue;
                    if (!At(x - 1, y)) { path.MoveTo(x * k, y * k); path.LineTo(x * k, (y + 1) * k); }
                    if (!At(x + 1, y)) { path.MoveTo((x + 1) * k, y * k); path.LineTo((x + 1) * k, (y + 1) * k); }
                    if (!At(x, y - 1)) { path.MoveTo(x * k, y * k); path.LineTo((x + 1) * k, y * k); }
                    if (!At(x, y + 1)) { path.MoveTo(x * k, (y + 1) * k); path.LineTo((x + 1) * k, (y + 1) * k); }
                }
            canvas.DrawPath(path, paint);
        }
    }
}
