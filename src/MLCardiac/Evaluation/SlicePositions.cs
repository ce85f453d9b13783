namespace MLCardiac.Evaluation;

/// <summary>
/// Where along the heart a short-axis slice lies — base, mid-ventricle or apex — and the Dice of each structure in each
/// part: the breakdown the cardiac segmentation challenges report (ACDC: Bernard et al. 2018, IEEE TMI 37:2514; M&amp;Ms:
/// Campello et al. 2021, IEEE TMI 40:3543), because errors concentrate at the base (where the valve plane and the outflow
/// tracts make the boundary ambiguous) and at the apex (small, partial-volumed structures).
/// </summary>
/// <remarks>
/// The slices that hold any reference structure are split into thirds along the stack. Which end is the base is read from
/// the reference itself, not from the file's orientation (converters order slices either way): the LV (cavity and
/// myocardium) narrows towards the apex, so the end third with the larger LV area is the base. Slices beyond the reference
/// heart count with the nearer end (base or apex), so a prediction that runs past the heart is charged where it happens.
/// Dice per part is pooled over the part's voxels, with the convention of <see cref="OverlapMetrics"/>: 1 when the structure is
/// in neither.
/// </remarks>
public static class SlicePositions
{
    /// <summary>The parts, base first: "base", "mid", "apex".</summary>
    public static IReadOnlyList<string> Names { get; } = ["base", "mid", "apex"];

    /// <summary>
    /// The part (0 base, 1 mid, 2 apex) of each slice z of the reference <paramref name="truth"/> ([nz][ny][nx], x fastest);
    /// null when no slice holds a structure.
    /// </summary>
    public static int[]? Assign(ReadOnlySpan<byte> truth, int nx, int ny, int nz)
    {
        int plane = nx * ny;
        if (truth.Length != (long)plane * nz) throw new ArgumentException($"The reference must hold {nx}×{ny}×{nz} voxels (got {truth.Length}).", nameof(truth));
        var heart = new List<int>();
        var lvArea = new long[nz];
        for (int z = 0; z < nz; z++)
        {
            ReadOnlySpan<byte> s = truth.Slice(z * plane, plane);
            bool any = false;
            foreach (byte v in s)
            {
                if (v != 0) any = true;
                if (v is 1 or 2) lvArea[z]++;
            }
            if (any) heart.Add(z);
        }
        if (heart.Count == 0) return null;
        int m = heart.Count, third = Math.Max(1, m / 3);
        long first = heart.Take(third).Sum(z => lvArea[z]), last = heart.Skip(m - third).Sum(z => lvArea[z]);
        bool baseFirst = first >= last;
        var part = new int[nz];
        for (int i = 0; i < m; i++)
        {
            int fromBase = baseFirst ? i : m - 1 - i;
            part[heart[i]] = Math.Min(2, fromBase * 3 / m);
        }
        for (int z = 0; z < heart[0]; z++) part[z] = baseFirst ? 0 : 2;
        for (int z = heart[^1] + 1; z < nz; z++) part[z] = baseFirst ? 2 : 0;
        return part;
    }

    /// <summary>
    /// Dice of structures 1..3 (LV, MYO, RV) in each part [part][structure − 1] of a case; null when the reference holds no
    /// structure.
    /// </summary>
    public static double[][]? Dice(ReadOnlySpan<byte> predicted, ReadOnlySpan<byte> truth, int nx, int ny, int nz)
    {
        if (predicted.Length != truth.Length) throw new ArgumentException($"Both label volumes must hold the same voxels (got {predicted.Length} and {truth.Length}).", nameof(predicted));
        int[]? part = Assign(truth, nx, ny, nz);
        if (part is null) return null;
        int plane = nx * ny;
        var both = new long[3, 4];
        var sum = new long[3, 4];
        for (int z = 0; z < nz; z++)
        {
            int q = part[z];
            for (int i = z * plane; i < (z + 1) * plane; i++)
            {
                int p = predicted[i], t = truth[i];
                if (p is > 0 and <= 3) sum[q, p]++;
                if (t is > 0 and <= 3) sum[q, t]++;
                if (p == t && p is > 0 and <= 3) both[q, p]++;
            }
        }
        var dice = new double[3][];
        for (int q = 0; q < 3; q++)
        {
            dice[q] = new double[3];
            for (int k = 1; k <= 3; k++) dice[q][k - 1] = sum[q, k] == 0 ? 1 : 2.0 * both[q, k] / sum[q, k];
        }
        return dice;
    }
}
