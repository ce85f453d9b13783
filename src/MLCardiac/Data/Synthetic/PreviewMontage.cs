namespace MLCardiac.Data.Synthetic;

/// <summary>
/// A montage of mid-ventricular end-diastolic slices for a person to look at: one row per vendor, one tile per
/// subject, each tile resampled (nearest neighbour) to a common physical field of view so matrix and spacing
/// differences show, windowed to its own 0.5–99.5 % intensity range, with the label contours drawn
/// (LV blood pool red, myocardium green, RV blue). Pixels are RGBA, 8 bits each, row-major.
/// </summary>
public sealed class PreviewMontage
{
    private static readonly byte[][] LabelColours = [[0, 0, 0], [255, 64, 64], [64, 230, 64], [80, 140, 255]];

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

    /// <summary>Builds the montage; <paramref name="rows"/> holds one list of subjects per row (e.g. per vendor).</summary>
    /// <param name="rows">Subjects per row.</param>
    /// <param name="fieldOfViewMm">Physical width and height shown by each tile, in mm.</param>
    /// <param name="tilePixels">Tile width and height in pixels.</param>
    /// <param name="drawContours">Whether to draw label contours.</param>
    public static PreviewMontage Create(IReadOnlyList<IReadOnlyList<SyntheticSubject>> rows, double fieldOfViewMm = 300, int tilePixels = 240, bool drawContours = true)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldOfViewMm);
        ArgumentOutOfRangeException.ThrowIfLessThan(tilePixels, 8);
        int columns = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Count));
        const int gap = 4;
        int width = (columns * (tilePixels + gap)) + gap;
        int height = (Math.Max(1, rows.Count) * (tilePixels + gap)) + gap;
        var rgba = new byte[width * height * 4];
        for (int i = 3; i < rgba.Length; i += 4)
        {
            rgba[i] = 255;
        }
        for (int r = 0; r < rows.Count; r++)
        {
            for (int c = 0; c < rows[r].Count; c++)
            {
                DrawTile(rows[r][c], rgba, width, gap + (c * (tilePixels + gap)), gap + (r * (tilePixels + gap)), tilePixels, fieldOfViewMm, drawContours);
            }
        }
        return new PreviewMontage(width, height, rgba);
    }

    /// <summary>The slice shown for a subject: the middle of the slices that contain LV blood pool at ED.</summary>
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

    private static void DrawTile(SyntheticSubject s, byte[] rgba, int stride, int ox, int oy, int tile, double fovMm, bool contours)
    {
        int z = MidVentricularSlice(s);
        ReadOnlySpan<float> img = s.ImageSlice(z, s.Info.EdFrame);
        ReadOnlySpan<byte> lab = s.LabelSlice(z, s.Info.EdFrame);
        float[] sorted = img.ToArray();
        Array.Sort(sorted);
        float lo = sorted[(int)(0.005 * (sorted.Length - 1))], hi = sorted[(int)(0.995 * (sorted.Length - 1))];
        float range = Math.Max(hi - lo, 1e-6f);
        double mmPerTilePixel = fovMm / tile;
        var tileLabels = new byte[tile * tile];
        for (int ty = 0; ty < tile; ty++)
        {
            for (int tx = 0; tx < tile; tx++)
            {
                double xMm = (tx + 0.5 - (tile / 2.0)) * mmPerTilePixel, yMm = (ty + 0.5 - (tile / 2.0)) * mmPerTilePixel;
                int i = (int)Math.Floor((xMm / s.PixelSpacingMm) + (s.SizeX / 2.0));
                int j = (int)Math.Floor((yMm / s.PixelSpacingMm) + (s.SizeY / 2.0));
                byte g = 0;
                if (i >= 0 && j >= 0 && i < s.SizeX && j < s.SizeY)
                {
                    g = (byte)Math.Clamp((img[(j * s.SizeX) + i] - lo) / range * 255f, 0, 255);
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
