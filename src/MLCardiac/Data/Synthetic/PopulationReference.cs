namespace MLCardiac.Data.Synthetic;

/// <summary>A published mean ± SD of one cardiac index, with the source it was read from.</summary>
/// <param name="Mean">Mean.</param>
/// <param name="Sd">Standard deviation.</param>
/// <param name="Source">Citation.</param>
public sealed record ReferenceValue(double Mean, double Sd, string Source)
{
    /// <summary>Mean − 2 SD (the lower limit of a normal range).</summary>
    public double Lower => Mean - (2 * Sd);

    /// <summary>Mean + 2 SD.</summary>
    public double Upper => Mean + (2 * Sd);
}

/// <summary>
/// Published reference values the generator samples healthy subjects from and the data report compares against:
/// Petersen et al., "Reference ranges for cardiac structure and function using CMR in Caucasians from the UK Biobank
/// population cohort", J Cardiovasc Magn Reson 19:18 (2017) — 804 healthy adults aged 45–74, 1.5 T bSSFP, papillary muscles
/// included in the LV blood volume (as M&amp;Ms/ACDC label them). Absolute values, mean ± SD by sex. With age, volumes were
/// smaller in both sexes and mass smaller in men; the slopes here (volumes −0.5 %/year, male mass −0.3 %/year, centred at 60
/// years, effect clamped to ±20 % outside 45–74) are an approximation of its age-stratified tables, not published slopes.
/// </summary>
public static class PopulationReference
{
    private const string Petersen = "Petersen et al. 2017, J Cardiovasc Magn Reson 19:18 (UK Biobank, healthy, 45–74 y)";

    /// <summary>Cardiac indices of the reference.</summary>
    public enum Index
    {
        /// <summary>LV end-diastolic volume, ml.</summary>
        LvEdv,
        /// <summary>LV end-systolic volume, ml.</summary>
        LvEsv,
        /// <summary>LV ejection fraction, %.</summary>
        LvEf,
        /// <summary>LV myocardial mass, g.</summary>
        LvMass,
        /// <summary>RV end-diastolic volume, ml.</summary>
        RvEdv,
        /// <summary>RV end-systolic volume, ml.</summary>
        RvEsv,
        /// <summary>RV ejection fraction, %.</summary>
        RvEf,
    }

    private static readonly Dictionary<(Index, char), (double Mean, double Sd)> Values = new()
    {
        [(Index.LvEdv, 'M')] = (166, 32), [(Index.LvEdv, 'F')] = (124, 21),
        [(Index.LvEsv, 'M')] = (69, 16), [(Index.LvEsv, 'F')] = (49, 11),
        [(Index.LvEf, 'M')] = (58, 5), [(Index.LvEf, 'F')] = (61, 5),
        [(Index.LvMass, 'M')] = (103, 21), [(Index.LvMass, 'F')] = (71, 13),
        [(Index.RvEdv, 'M')] = (182, 35), [(Index.RvEdv, 'F')] = (130, 24),
        [(Index.RvEsv, 'M')] = (80, 20), [(Index.RvEsv, 'F')] = (53, 14),
        [(Index.RvEf, 'M')] = (56, 6), [(Index.RvEf, 'F')] = (60, 6),
    };

    /// <summary>The healthy reference of <paramref name="index"/> for <paramref name="sex"/> ('M' or 'F'), all ages pooled.</summary>
    public static ReferenceValue Healthy(Index index, char sex)
    {
        var (mean, sd) = Values[(index, char.ToUpperInvariant(sex) == 'F' ? 'F' : 'M')];
        return new ReferenceValue(mean, sd, Petersen);
    }

    /// <summary>
    /// The healthy mean ± SD at <paramref name="ageYears"/>: volumes scaled by 1 − 0.005·(age − 60) and male mass by
    /// 1 − 0.003·(age − 60), clamped to ±20 %; ejection fractions do not change with age (Petersen et al. 2017).
    /// </summary>
    public static ReferenceValue Healthy(Index index, char sex, double ageYears)
    {
        ReferenceValue r = Healthy(index, sex);
        double factor = index switch
        {
            Index.LvEf or Index.RvEf => 1,
            Index.LvMass => char.ToUpperInvariant(sex) == 'F' ? 1 : 1 - (0.003 * (ageYears - 60)),
            _ => 1 - (0.005 * (ageYears - 60)),
        };
        factor = Math.Clamp(factor, 0.8, 1.2);
        return r with { Mean = r.Mean * factor, Sd = r.Sd * factor };
    }

    /// <summary>Body surface area (Mosteller), m².</summary>
    public static double BodySurfaceArea(double heightCm, double weightKg) => Math.Sqrt(heightCm * weightKg / 3600.0);
}
