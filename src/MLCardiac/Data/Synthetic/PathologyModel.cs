namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Draws a subject's <see cref="CardiacTargets"/> from its phenotype, sex, age and body size. Healthy subjects (and the
/// normal ventricle of ARV subjects) come from the UK Biobank reference (<see cref="PopulationReference"/>, normal
/// distributions truncated at ±2 SD). Pathologies use indexed (per m² body surface area) ranges consistent with the ACDC
/// diagnostic criteria (Bernard et al., IEEE Trans Med Imaging 37:2514, 2018: DCM LVEF &lt; 40 % and LVEDVi &gt; 100 ml/m²;
/// HCM LV mass index &gt; 110 g/m² with segments ≥ 15 mm and normal EF — drawn here from 90–140 g/m² with a septal/free-wall
/// ratio of 1.4–2.0 (asymmetric septal hypertrophy, ratio ≥ 1.3), so milder phenotypes below the ACDC cut-off occur as in M&amp;Ms; abnormal RV: RVEDVi &gt; 110 ml/m² or RVEF &lt; 40 %;
/// myocardial infarction LVEF &lt; 40 % with regional dyskinesia), the ESC HCM wall-thickness criterion (≥ 15 mm; Elliott et
/// al., Eur Heart J 35:2733, 2014), the LVNC criterion NC/C &gt; 2.3 at end diastole (Petersen et al., J Am Coll Cardiol
/// 46:101, 2005), athletes' larger balanced volumes (Prakken et al., Eur J Cardiovasc Prev Rehabil 17:198, 2010) and
/// hypertensive concentric remodelling. MAPSE: normal ≈ 11–17 mm, reduced in cardiomyopathies. Each range is drawn
/// uniformly; <see cref="Range"/> returns it for the tests and the data report.
/// </summary>
internal static class PathologyModel
{
    /// <summary>
    /// The default mix of phenotypes, approximately the shares of the M&amp;Ms cohort (mostly NOR, HCM and DCM, smaller
    /// HHD, ARV, AHS, IHD and LVNC groups; Campello et al. 2021) — not exact counts; a profile file can set its own.
    /// </summary>
    public static IReadOnlyDictionary<Pathology, double> DefaultMix { get; } = new Dictionary<Pathology, double>
    {
        [Pathology.Normal] = 0.27,
        [Pathology.HypertrophicCardiomyopathy] = 0.27,
        [Pathology.DilatedCardiomyopathy] = 0.17,
        [Pathology.HypertensiveHeartDisease] = 0.09,
        [Pathology.AbnormalRightVentricle] = 0.07,
        [Pathology.AthleteHeart] = 0.05,
        [Pathology.IschemicHeartDisease] = 0.05,
        [Pathology.LeftVentricularNonCompaction] = 0.03,
    };

    /// <summary>Indexed ranges (per m² BSA) drawn uniformly for pathologies; NaN where the healthy reference is used.</summary>
    private static readonly Dictionary<Pathology, (double EdviLo, double EdviHi, double EfLo, double EfHi, double MassiLo, double MassiHi, double RvEdviLo, double RvEdviHi, double RvEfLo, double RvEfHi, double MapseLo, double MapseHi)> Ranges = new()
    {
        [Pathology.DilatedCardiomyopathy] = (105, 160, 15, 38, 65, 100, double.NaN, double.NaN, 35, 55, 5, 9),
        [Pathology.HypertrophicCardiomyopathy] = (55, 85, 62, 78, 90, 140, double.NaN, double.NaN, double.NaN, double.NaN, 7, 11),
        [Pathology.HypertensiveHeartDisease] = (55, 85, 55, 70, 80, 110, double.NaN, double.NaN, double.NaN, double.NaN, 9, 13),
        [Pathology.AbnormalRightVentricle] = (double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 112, 160, 25, 40, 10, 15),
        [Pathology.AthleteHeart] = (95, 125, 52, 65, 65, 95, 100, 135, 48, 60, 13, 18),
        [Pathology.IschemicHeartDisease] = (80, 130, 20, 38, 60, 95, double.NaN, double.NaN, 40, 58, 6, 10),
        [Pathology.LeftVentricularNonCompaction] = (80, 120, 30, 50, 55, 85, double.NaN, double.NaN, 42, 60, 8, 12),
    };

    /// <summary>Draws a phenotype by the weights of <paramref name="mix"/>.</summary>
    public static Pathology DrawPathology(SeededRandom r, IReadOnlyDictionary<Pathology, double> mix)
    {
        double total = mix.Values.Sum(), u = r.NextDouble() * total;
        foreach (Pathology p in Enum.GetValues<Pathology>())
        {
            if (!mix.TryGetValue(p, out double w) || w <= 0) continue;
            if (u < w) return p;
            u -= w;
        }
        return mix.Where(kv => kv.Value > 0).Select(kv => kv.Key).Last();
    }

    /// <summary>
    /// The range a target is drawn from for this subject: [lower, upper] in ml, %, or g. <paramref name="bsa"/> in m².
    /// </summary>
    public static (double Lower, double Upper) Range(Pathology pathology, PopulationReference.Index index, char sex, double ageYears, double bsa)
    {
        if (index is PopulationReference.Index.LvEsv or PopulationReference.Index.RvEsv && pathology != Pathology.Normal)
        {
            // ESV = EDV·(1 − EF): the range spanned by the drawn EDV and EF ranges.
            bool lv = index == PopulationReference.Index.LvEsv;
            var edv = Range(pathology, lv ? PopulationReference.Index.LvEdv : PopulationReference.Index.RvEdv, sex, ageYears, bsa);
            var ef = Range(pathology, lv ? PopulationReference.Index.LvEf : PopulationReference.Index.RvEf, sex, ageYears, bsa);
            return (edv.Lower * (1 - (ef.Upper / 100)), edv.Upper * (1 - (ef.Lower / 100)));
        }
        if (Ranges.TryGetValue(pathology, out var q))
        {
            (double lo, double hi, double scale) = index switch
            {
                PopulationReference.Index.LvEdv => (q.EdviLo, q.EdviHi, bsa),
                PopulationReference.Index.LvEf => (q.EfLo, q.EfHi, 1),
                PopulationReference.Index.LvMass => (q.MassiLo, q.MassiHi, bsa),
                PopulationReference.Index.RvEdv => (q.RvEdviLo, q.RvEdviHi, bsa),
                PopulationReference.Index.RvEf => (q.RvEfLo, q.RvEfHi, 1),
                _ => (double.NaN, double.NaN, 1),
            };
            if (!double.IsNaN(lo)) return (lo * scale, hi * scale);
            if (pathology == Pathology.DilatedCardiomyopathy && index == PopulationReference.Index.RvEdv)
            {
                ReferenceValue rv = PopulationReference.Healthy(index, sex, ageYears);
                return (rv.Mean, rv.Upper * 1.15);
            }
        }
        ReferenceValue h = PopulationReference.Healthy(index, sex, ageYears);
        return (h.Lower, h.Upper);
    }

    /// <summary>Where the range of <paramref name="index"/> for <paramref name="pathology"/> comes from (for the data report).</summary>
    public static string Source(Pathology pathology, PopulationReference.Index index)
    {
        bool drawn = Ranges.TryGetValue(pathology, out var q) && !double.IsNaN(index switch
        {
            PopulationReference.Index.LvEdv or PopulationReference.Index.LvEsv => q.EdviLo,
            PopulationReference.Index.LvEf => q.EfLo,
            PopulationReference.Index.LvMass => q.MassiLo,
            PopulationReference.Index.RvEdv or PopulationReference.Index.RvEsv => pathology == Pathology.DilatedCardiomyopathy ? 0 : q.RvEdviLo,
            PopulationReference.Index.RvEf => q.RvEfLo,
            _ => double.NaN,
        });
        return !drawn ? "healthy mean ± 2 SD, Petersen et al. 2017 (UK Biobank)" : pathology switch
        {
            Pathology.DilatedCardiomyopathy => "ACDC DCM criteria (LVEF < 40 %, LVEDVi > 100 ml/m²; Bernard et al. 2018)",
            Pathology.HypertrophicCardiomyopathy => "HCM: septum ≥ 15 mm, normal EF (Elliott et al. 2014; ACDC)",
            Pathology.AbnormalRightVentricle => "ACDC abnormal RV (RVEDVi > 110 ml/m² or RVEF < 40 %)",
            Pathology.IschemicHeartDisease => "ACDC infarction (LVEF < 40 %, regional akinesia)",
            Pathology.LeftVentricularNonCompaction => "LVNC (NC/C > 2.3; Petersen et al. 2005), reduced EF",
            Pathology.AthleteHeart => "athletes' balanced enlargement (Prakken et al. 2010)",
            _ => "hypertensive concentric remodelling (indexed ranges)",
        } + ", drawn per BSA";
    }

    /// <summary>Draws the targets of one subject.</summary>
    public static CardiacTargets Draw(SeededRandom r, Pathology pathology, char sex, double ageYears, double bsa)
    {
        double Healthy(PopulationReference.Index index)
        {
            ReferenceValue v = PopulationReference.Healthy(index, sex, ageYears);
            return v.Mean + (v.Sd * Math.Clamp(r.Normal(), -2, 2));
        }
        double Uniform(PopulationReference.Index index)
        {
            var (lo, hi) = Range(pathology, index, sex, ageYears, bsa);
            return r.Uniform(lo, hi);
        }
        bool Drawn(PopulationReference.Index index) => Ranges.TryGetValue(pathology, out var q) && !double.IsNaN(index switch
        {
            PopulationReference.Index.LvEdv => q.EdviLo,
            PopulationReference.Index.LvEf => q.EfLo,
            PopulationReference.Index.LvMass => q.MassiLo,
            PopulationReference.Index.RvEdv => q.RvEdviLo,
            PopulationReference.Index.RvEf => q.RvEfLo,
            _ => double.NaN,
        }) || (pathology == Pathology.DilatedCardiomyopathy && index == PopulationReference.Index.RvEdv);

        double V(PopulationReference.Index index) => Drawn(index) ? Uniform(index) : Healthy(index);
        double edv = V(PopulationReference.Index.LvEdv);
        double ef = V(PopulationReference.Index.LvEf) / 100;
        double mass = V(PopulationReference.Index.LvMass);
        double rvEdv = V(PopulationReference.Index.RvEdv);
        double rvEf = V(PopulationReference.Index.RvEf) / 100;
        double mapse = Ranges.TryGetValue(pathology, out var m) ? r.Uniform(m.MapseLo, m.MapseHi) : r.Uniform(11, 17);
        var targets = new CardiacTargets { LvEdvMl = edv, LvEf = ef, LvMassG = mass, RvEdvMl = rvEdv, RvEf = rvEf, MapseMm = mapse };
        return pathology switch
        {
            Pathology.DilatedCardiomyopathy => targets with { Sphericity = r.Uniform(0.78, 0.9) },
            Pathology.HypertrophicCardiomyopathy => targets with { SeptalRatio = r.Uniform(1.4, 2.0), OutflowFlowVoid = r.Chance(0.3), Sphericity = r.Uniform(0.95, 1.05) },
            Pathology.IschemicHeartDisease => targets with { Infarct = (r.Uniform(0.5, 0.95), r.Uniform(0.45, 0.65), r.Uniform(0.0, 0.3)), Sphericity = r.Uniform(0.85, 0.95) },
            Pathology.LeftVentricularNonCompaction => targets with { NonCompactionRatio = r.Uniform(2.3, 3.5) },
            _ => targets with { OutflowFlowVoid = r.Chance(0.05) },
        };
    }
}
