namespace MLCardiac.Evaluation;

/// <summary>
/// The clinical indices of one subject from its ED and ES label volumes: LV and RV end-diastolic and
/// end-systolic volumes (ml), ejection fractions (%), and LV myocardial mass (g) at ED with a myocardial
/// density of 1.05 g/ml (the convention of ACDC and M&amp;Ms).
/// </summary>
public sealed record ClinicalIndices(double LvEdvMl, double LvEsvMl, double RvEdvMl, double RvEsvMl, double MyoMassG)
{
    /// <summary>Myocardial density, g/ml.</summary>
    public const double MyocardiumDensityGPerMl = 1.05;

    /// <summary>LV ejection fraction, % (NaN when the EDV is 0).</summary>
    public double LvEfPercent => Ef(LvEdvMl, LvEsvMl);
    /// <summary>RV ejection fraction, % (NaN when the EDV is 0).</summary>
    public double RvEfPercent => Ef(RvEdvMl, RvEsvMl);

    /// <summary>Indices from ED and ES label volumes (labels 1 LV, 2 MYO, 3 RV) with voxel volume <paramref name="voxelMl"/>.</summary>
    public static ClinicalIndices FromLabels(ReadOnlySpan<float> ed, ReadOnlySpan<float> es, double voxelMl)
    {
        if (!(voxelMl > 0)) throw new ArgumentOutOfRangeException(nameof(voxelMl), voxelMl, "voxel volume must be > 0 ml");
        var (lvEd, myoEd, rvEd) = Count(ed);
        var (lvEs, _, rvEs) = Count(es);
        return new ClinicalIndices(lvEd * voxelMl, lvEs * voxelMl, rvEd * voxelMl, rvEs * voxelMl, myoEd * voxelMl * MyocardiumDensityGPerMl);
    }

    private static double Ef(double edv, double esv) => edv > 0 ? 100 * (edv - esv) / edv : double.NaN;

    private static (long Lv, long Myo, long Rv) Count(ReadOnlySpan<float> labels)
    {
        long lv = 0, myo = 0, rv = 0;
        foreach (float v in labels)
        {
            if (v == 1) lv++;
            else if (v == 2) myo++;
            else if (v == 3) rv++;
        }
        return (lv, myo, rv);
    }
}
