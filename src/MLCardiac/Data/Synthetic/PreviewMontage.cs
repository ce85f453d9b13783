namespace MLCardiac.Data.Synthetic;

/// <summary>One row of a <see cref="PreviewMontage"/>: a subject at one frame, every slice from base to apex.</summary>
/// <param name="Subject">The subject.</param>
/// <param name="Frame">The frame shown (e.g. its ED or ES frame).</param>
public sealed record PreviewRow(SyntheticSubject Subject, int Frame);

/// <summary>
/// A montage for a person to look at: one row per (subject, frame), one tile per slice from base (left) to apex (right),
/// each tile a square field of view centred on the subject's LV (the blood-pool centroid at ED) and resampled (nearest
/// neighbour) so that matrix and spacing differences show, windowed to the subject's own 0.5–99.5 % intensity range, with
/// the label contours drawn (LV blood pool red, myocardium green, RV blue). Pixels are RGBA, 8 bits each, row-major.
/// </summary>
public sealed class PreviewMontage
{
    private static readonly byte[][] LabelColours = [[0, 0, 0], [255, 64, 64], [64, 230, 64], [80, 140, 255]];

    /// <summary>Gap between tiles, pixels.</summary>
    public const int Gap = 4;

    private PreviewMontage(int width, int height, byte[] rgba)
    {
        Width = width;
        Height = height;
        Rgba = rgba;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>RGBA bytes, row-major, 4 per pixel.</summary>
    public ReadOnlyMemory<byte> Rgba { get; }

    /// <summary>Builds the montage: one row per entry of <paramref name="rows"/>, one tile per slice.</summary>
    /// <param name="rows">Subject and frame per row.</param>
    /// <param name="fieldOfViewMm">Physical width and height shown by each tile, in mm (around the LV).</param>
    /// <param name="tilePixels">Tile width and height in pixels.</param>
    /// <param name="drawContours">Whether to draw label contours.</param>
    public static PreviewMontage Create(IReadOnlyList<PreviewRow> rows, double fieldOfViewMm = 170, int tilePixels = 112, bool drawContours = true)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldOfViewMm);
        ArgumentOutOfRangeException.ThrowIfLessThan(tilePixels, 8);
        int columns = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Subject.SliceCount));
        int width = (columns * (tilePixels + Gap)) + Gap;
        int height = (Math.Max(1, rows.Count) * (tilePixels + Gap)) + Gap;
        var rgba = new byte[width * height * 4];
        for (int i = 3; i < rgba.Length; i += 4)
        {
            rgba[i] = 255;
        }
        var windows = new Dictionary<SyntheticSubject, (float Lo, float Hi, double Cx, double Cy)>();
        for (int r = 0; r < rows.Count; r++)
        {
            SyntheticSubject s = rows[r].Subject;
            if (!windows.TryGetValue(s, out var window))
            {
                window = Window(s);
                windows[s] = window;
            }
            for (int z = 0; z < s.SliceCount; z++)
            {
                DrawTile(s, z, rows[r].Frame, window, rgba, width, Gap + (z * (tilePixels + Gap)), Gap + (r * (tilePixels + Gap)), tilePixels, fieldOfViewMm, drawContours);
            }
        }
        return new PreviewMontage(width, height, rgba);
    }

    /// <summary>The middle of the slices that contain LV blood pool at ED.</summary>
    public static int MidVentricularSlice(SyntheticSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        int first = -1, last = -1;
        for (int z = 0; z < subject.SliceCount; z++)
        {
            if (subject.LabelSlice(z, subject.Info.EdFrame).Contains((byte)1))
            {
                first = first < 0 ? z : first;
                last = z;
            }
        }
        return first < 0 ? subject.SliceCount / 2 : (first + last) / 2;
    }

    private static (float Lo, float Hi, double Cx, double Cy) Window(SyntheticSubject s)
    {
        int z = MidVentricularSlice(s);
        ReadOnlySpan<byte> lab = s.LabelSlice(z, s.Info.EdFrame);
        double sx = 0, sy = 0;
        int n = 0;
        for (int i = 0; i < lab.Length; i++)
        {
            if (lab[i] is 1 or 2)
            {
                sx += i % s.SizeX;
                sy += i / s.SizeX;
                n++;
            }
        }
        double cx = n > 0 ? sx / n : s.SizeX / 2.0, cy = n > 0 ? sy / n : s.SizeY / 2.0;
        float[] sorted = s.ImageSlice(z, s.Info.EdFrame).ToArray();
        Array.Sort(sorted);
        return (sorted[(int)(0.005 * (sorted.Length - 1))], sorted[(int)(0.995 * (sorted.Length - 1))], cx, cy);
    }

    private static void DrawTile(SyntheticSubject s, int z, int frame, (float Lo, float Hi, double Cx, double Cy) window, byte[] rgba, int stride, int ox, int oy, int tile, double fovMm, bool contours)
    {
        ReadOnlySpan<float> img = s.ImageSlice(z, frame);
        ReadOnlySpan<byte> lab = s.LabelSlice(z, frame);
        float range = Math.Max(window.Hi - window.Lo, 1e-6f);
        double mmPerTilePixel = fovMm / tile;
        var tileLabels = new byte[tile * tile];
        for (int ty = 0; ty < tile; ty++)
        {
            for (int tx = 0; tx < tile; tx++)
            {
                double xMm = (tx + 0.5 - (tile / 2.0)) * mmPerTilePixel, yMm = (ty + 0.5 - (tile / 2.0)) * mmPerTilePixel;
                int i = (int)Math.Floor((xMm / s.PixelSpacingMm) + window.Cx + 0.5);
                int j = (int)Math.Floor((yMm / s.PixelSpacingMm) + window.Cy + 0.5);
                byte g = 0;
                if (i >= 0 && j >= 0 && i < s.SizeX && j < s.SizeY)
                {
                    g = (byte)Math.Clamp((img[(j * s.SizeX) + i] - window.Lo) / range * 255f, 0, 255);
                    tileLabels[(ty * tile) + tx] = lab[(j * s.SizeX) + i];
                }
                int o = (((oy + ty) * stride) + ox + tx) * 4;
                rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
            }
        }
        if (!contours)
        {
            return;
        }
        for (int ty = 1; ty < tile - 1; ty++)
        {
            for (int tx = 1; tx < tile - 1; tx++)
            {
                byte l = tileLabels[(ty * tile) + tx];
                if (l == 0)
                {
                    continue;
                }
                bool edge = tileLabels[(ty * tile) + tx - 1] != l || tileLabels[(ty * tile) + tx + 1] != l
                    || tileLabels[((ty - 1) * tile) + tx] != l || tileLabels[((ty + 1) * tile) + tx] != l;
                if (edge)
                {
                    int o = (((oy + ty) * stride) + ox + tx) * 4;
                    rgba[o] = LabelColours[l][0];
                    rgba[o + 1] = LabelColours[l][1];
                    rgba[o + 2] = LabelColours[l][2];
                }
            }
        }
    }
}
