namespace MLCardiac.Evaluation;

/// <summary>Dice and distance metrics of one structure in one 3D frame.</summary>
/// <param name="Dice">2|P∩T| / (|P| + |T|).</param>
/// <param name="HausdorffMm">Largest surface distance in either direction (the M&amp;Ms challenge's HD).</param>
/// <param name="Hd95Mm">95th percentile of both directions' surface distances pooled (medpy's hd95).</param>
/// <param name="AssdMm">Average symmetric surface distance: mean of the two directed mean distances (medpy's assd).</param>
/// <param name="PredictedMl">Predicted volume, ml.</param>
/// <param name="TruthMl">Reference volume, ml.</param>
/// <remarks>
/// Empty masks: both empty → Dice 1 and distances 0 (nothing to find, nothing found); exactly one empty →
/// Dice 0 and distances NaN (undefined: there is no surface to measure to), which aggregations skip and
/// count as failures. The M&amp;Ms evaluation code (medpy) raises an error in that case instead.
/// </remarks>
public sealed record OverlapMetrics(double Dice, double HausdorffMm, double Hd95Mm, double AssdMm, double PredictedMl, double TruthMl)
{
    /// <summary>Computes the metrics of label <paramref name="label"/> between two label volumes [nz, ny, nx] with spacing in mm.</summary>
    public static OverlapMetrics Compute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, int label, int nx, int ny, int nz, double sx, double sy, double sz)
    {
        if (predicted.Length != truth.Length || predicted.Length != (long)nx * ny * nz)
            throw new ArgumentException($"Both label volumes must hold {nx}×{ny}×{nz} voxels (got {predicted.Length} and {truth.Length}).");
        var p = new bool[predicted.Length];
        var t = new bool[truth.Length];
        long np = 0, nt = 0, both = 0;
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = predicted[i] == label;
            t[i] = truth[i] == label;
            if (p[i]) np++;
            if (t[i]) nt++;
            if (p[i] && t[i]) both++;
        }
        double voxelMl = sx * sy * sz / 1000;
        if (np == 0 && nt == 0) return new OverlapMetrics(1, 0, 0, 0, 0, 0);
        double dice = 2.0 * both / (np + nt);
        if (np == 0 || nt == 0) return new OverlapMetrics(dice, double.NaN, double.NaN, double.NaN, np * voxelMl, nt * voxelMl);
        double[] pt = SurfaceDistances.Directed(p, t, nx, ny, nz, sx, sy, sz);
        double[] tp = SurfaceDistances.Directed(t, p, nx, ny, nz, sx, sy, sz);
        double hd = Math.Max(pt.Max(), tp.Max());
        double[] pooled = [.. pt, .. tp];
        Array.Sort(pooled);
        double assd = (pt.Average() + tp.Average()) / 2;
        return new OverlapMetrics(dice, hd, Percentile(pooled, 95), assd, np * voxelMl, nt * voxelMl);
    }

    /// <summary>Linear-interpolated percentile of sorted values (numpy's default method).</summary>
    internal static double Percentile(double[] sorted, double p)
    {
        double pos = p / 100 * (sorted.Length - 1);
        int i = (int)Math.Floor(pos);
        int j = Math.Min(i + 1, sorted.Length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }
}
