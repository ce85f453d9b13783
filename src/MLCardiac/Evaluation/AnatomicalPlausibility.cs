using System.Globalization;
using MLCardiac.Imaging;

namespace MLCardiac.Evaluation;

/// <summary>One broken anatomical rule: which rule, on which structure, in which slice (null: the whole stack), and a sentence for the user.</summary>
/// <param name="Rule">Rule id: <c>myo-encloses-lv</c>, <c>rv-touches-septum</c>, <c>no-holes</c>, <c>continuity</c>, <c>base-to-apex</c>.</param>
/// <param name="Structure">"LV", "MYO" or "RV".</param>
/// <param name="Slice">0-based slice (third image axis), or null.</param>
/// <param name="Message">What is wrong, in one sentence.</param>
public sealed record PlausibilityFinding(string Rule, string Structure, int? Slice, string Message);

/// <summary>
/// Shape rules a short-axis segmentation of a heart keeps, checked slice by slice on the label map of one frame (labels
/// 0..3 on the image grid): the myocardium encloses the LV blood pool; the RV blood pool lies against the septum; no
/// structure has a hole; each structure runs through consecutive slices; towards the apex the LV narrows and the RV ends
/// first. The volume and ejection-fraction rules are <see cref="SegmentationPlausibility"/>'s. Each finding names the rule,
/// the structure and the slice.
/// </summary>
/// <remarks>
/// The rules follow those of automated CMR quality control (Robinson et al., JCMR 2019, 21:18, for UK Biobank). Tolerances
/// are loose on purpose — basal slices open into the outflow tract, the apex tapers, annotators stop where they stop — so that
/// reference annotations pass (tested on the phantom's) and a finding means a segmentation no annotator would draw.
/// </remarks>
public static class AnatomicalPlausibility
{
    /// <summary>Cross-sections smaller than this (mm²) are too small to judge a slice by.</summary>
    public const double MinAreaMm2 = 30;
    /// <summary>Largest share of the LV blood pool's border that may touch background or RV rather than myocardium.</summary>
    public const double MaxOpenLvBorder = 0.5;
    /// <summary>Largest gap between the RV blood pool and the myocardium, mm.</summary>
    public const double MaxRvSeptumGapMm = 6;
    /// <summary>Smallest hole reported, mm²: a pixel or two of background where the RV meets the septum is how annotations look.</summary>
    public const double MinHoleMm2 = 8;
    /// <summary>Largest growth of the LV cross-section from one slice to the next towards the apex.</summary>
    public const double MaxApicalGrowth = 1.6;

    private static readonly string[] Names = ["background", "LV", "MYO", "RV"];

    /// <summary>Findings for the label map <paramref name="labels"/> ([z][y][x], x fastest) of one frame; empty when every rule holds.</summary>
    public static IReadOnlyList<PlausibilityFinding> Check(ReadOnlySpan<byte> labels, int nx, int ny, int nz, Spacing spacing)
    {
        if (nx < 1 || ny < 1 || nz < 1 || labels.Length != (long)nx * ny * nz)
            throw new ArgumentException($"Expected {nx}×{ny}×{nz} labels, got {labels.Length}.", nameof(labels));
        var findings = new List<PlausibilityFinding>();
        int plane = nx * ny;
        double pixelMm2 = spacing.X * spacing.Y;
        var area = new double[4, nz];
        for (int z = 0; z < nz; z++)
            foreach (byte l in labels.Slice(z * plane, plane))
                if (l is >= 1 and <= 3) area[l, z] += pixelMm2;

        // The ring and septum rules hold in the mid-ventricular slices (the middle half of the LV's extent): basal slices
        // open into the outflow tracts, where the RV leaves the septum, and the apex tapers into a cap.
        var (first, last) = Extent(area, nz);
        int quarter = (last - first + 1) / 4;
        for (int z = 0; z < nz; z++)
        {
            ReadOnlySpan<byte> s = labels.Slice(z * plane, plane);
            bool mid = first >= 0 && z >= first + quarter && z <= last - quarter;
            if (mid && area[1, z] >= MinAreaMm2) MyoEnclosesLv(s, nx, ny, z, findings);
            if (mid && area[3, z] >= MinAreaMm2 && area[2, z] >= MinAreaMm2) RvTouchesSeptum(s, nx, ny, spacing, z, findings);
            Holes(s, nx, ny, z, pixelMm2, findings);
        }
        for (int k = 1; k <= 3; k++) Continuity(area, k, nz, findings);
        BaseToApex(area, nz, findings);
        return findings;
    }

    private static void MyoEnclosesLv(ReadOnlySpan<byte> s, int nx, int ny, int z, List<PlausibilityFinding> findings)
    {
        long border = 0, open = 0;
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++)
            {
                if (s[y * nx + x] != 1) continue;
                foreach (var (dx, dy) in Neighbours4)
                {
                    int xx = x + dx, yy = y + dy;
                    byte n = xx < 0 || yy < 0 || xx >= nx || yy >= ny ? (byte)0 : s[yy * nx + xx];
                    if (n == 1) continue;
                    border++;
                    if (n != 2) open++;
                }
            }
        double share = border == 0 ? 0 : (double)open / border;
        if (share > MaxOpenLvBorder)
            findings.Add(new("myo-encloses-lv", "LV", z, Invariant($"Slice {z}: {share:P0} of the LV blood pool's border touches background or RV, not myocardium; the myocardium should enclose it.")));
    }

    private static void RvTouchesSeptum(ReadOnlySpan<byte> s, int nx, int ny, Spacing spacing, int z, List<PlausibilityFinding> findings)
    {
        var myo = new bool[nx * ny];
        for (int i = 0; i < myo.Length; i++) myo[i] = s[i] == 2;
        double[] d2 = DistanceTransform.SquaredDistances(myo, nx, ny, 1, spacing.X, spacing.Y, 1);
        double nearest = double.PositiveInfinity;
        for (int i = 0; i < myo.Length; i++)
            if (s[i] == 3) nearest = Math.Min(nearest, d2[i]);
        nearest = Math.Sqrt(nearest);
        if (nearest > MaxRvSeptumGapMm)
            findings.Add(new("rv-touches-septum", "RV", z, Invariant($"Slice {z}: the RV blood pool lies {nearest:F0} mm from the myocardium; it should lie against the septum.")));
    }

    private static void Holes(ReadOnlySpan<byte> s, int nx, int ny, int z, double pixelMm2, List<PlausibilityFinding> findings)
    {
        // Background not connected to the slice's edge is enclosed: a hole in whatever surrounds it.
        var seen = new bool[nx * ny];
        var queue = new Queue<int>();
        for (int x = 0; x < nx; x++) { Seed(x, 0, s); Seed(x, ny - 1, s); }
        for (int y = 0; y < ny; y++) { Seed(0, y, s); Seed(nx - 1, y, s); }
        Flood(s);
        var reported = new HashSet<int>();
        for (int i = 0; i < seen.Length; i++)
        {
            if (seen[i] || s[i] != 0) continue;
            // A new enclosed component: flood it and collect what surrounds it.
            var around = new SortedSet<int>();
            int size = 0;
            queue.Enqueue(i);
            seen[i] = true;
            while (queue.Count > 0)
            {
                int p = queue.Dequeue();
                size++;
                int px = p % nx, py = p / nx;
                foreach (var (dx, dy) in Neighbours4)
                {
                    int q = (py + dy) * nx + px + dx;
                    if (s[q] != 0) around.Add(s[q]);
                    else if (!seen[q]) { seen[q] = true; queue.Enqueue(q); }
                }
            }
            // A hole is background inside one structure; background closed in where two structures meet is a seam.
            if (around.Count != 1 || size * pixelMm2 < MinHoleMm2) continue;
            int structure = around.Min;
            if (!reported.Add(structure)) continue;
            findings.Add(new("no-holes", Names[Math.Min(structure, 3)], z, Invariant($"Slice {z}: a hole of {size} pixel(s) ({size * pixelMm2:F0} mm²) of background inside the {Names[Math.Min(structure, 3)]}.")));
        }

        void Seed(int x, int y, ReadOnlySpan<byte> labels)
        {
            int p = y * nx + x;
            if (!seen[p] && labels[p] == 0) { seen[p] = true; queue.Enqueue(p); }
        }

        void Flood(ReadOnlySpan<byte> labels)
        {
            while (queue.Count > 0)
            {
                int p = queue.Dequeue();
                int px = p % nx, py = p / nx;
                foreach (var (dx, dy) in Neighbours4)
                {
                    int xx = px + dx, yy = py + dy;
                    if (xx < 0 || yy < 0 || xx >= nx || yy >= ny) continue;
                    int q = yy * nx + xx;
                    if (!seen[q] && labels[q] == 0) { seen[q] = true; queue.Enqueue(q); }
                }
            }
        }
    }

    private static void Continuity(double[,] area, int k, int nz, List<PlausibilityFinding> findings)
    {
        int first = -1, last = -1;
        for (int z = 0; z < nz; z++)
            if (area[k, z] > 0) { if (first < 0) first = z; last = z; }
        if (first < 0) return;
        for (int z = first + 1; z < last; z++)
            if (area[k, z] == 0)
                findings.Add(new("continuity", Names[k], z, Invariant($"Slice {z}: no {Names[k]} between slices {first} and {last}, where it is present; a structure runs through consecutive slices.")));
    }

    /// <summary>First and last slice where the LV (cavity and wall) has a cross-section worth judging; (-1, -1) when none.</summary>
    private static (int First, int Last) Extent(double[,] area, int nz)
    {
        int first = -1, last = -1;
        for (int z = 0; z < nz; z++)
            if (area[1, z] + area[2, z] >= MinAreaMm2) { if (first < 0) first = z; last = z; }
        return (first, last);
    }

    private static void BaseToApex(double[,] area, int nz, List<PlausibilityFinding> findings)
    {
        double Heart(int z) => area[1, z] + area[2, z];
        var (first, last) = Extent(area, nz);
        if (first < 0 || last - first < 2) return;
        // The apex is the end the RV has left (less RV within two slices of it); with as much RV at both, the narrower end.
        double Rv(int from, int step) => Enumerable.Range(0, 3).Select(k => from + k * step).Where(z => z >= 0 && z < nz).Sum(z => area[3, z]);
        double rvAtFirst = Rv(first, -1) + Rv(first + 1, 1), rvAtLast = Rv(last, 1) + Rv(last - 1, -1);
        int step = rvAtFirst != rvAtLast ? (rvAtFirst < rvAtLast ? -1 : 1) : (Heart(first) <= Heart(last) ? -1 : 1); // direction from base to apex
        int apex = step > 0 ? last : first, widest = first;
        for (int z = first; z <= last; z++) if (area[1, z] > area[1, widest]) widest = z;
        for (int z = widest + step; z != apex + step; z += step)
        {
            double before = area[1, z - step], now = area[1, z];
            if (now >= MinAreaMm2 && before > 0 && now > MaxApicalGrowth * before)
                findings.Add(new("base-to-apex", "LV", z, Invariant($"Slice {z}: the LV blood pool widens again towards the apex ({before:F0} → {now:F0} mm²); it should narrow from base to apex.")));
        }
        for (int z = apex + 2 * step; z >= 0 && z < nz; z += step)
            if (area[3, z] >= MinAreaMm2)
            {
                findings.Add(new("base-to-apex", "RV", z, Invariant($"Slice {z}: RV blood pool beyond the LV's apex (slice {apex}); the RV ends before the LV towards the apex.")));
                break;
            }
    }

    private static readonly (int Dx, int Dy)[] Neighbours4 = [(1, 0), (-1, 0), (0, 1), (0, -1)];

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
