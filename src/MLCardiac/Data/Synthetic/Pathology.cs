namespace MLCardiac.Data.Synthetic;

/// <summary>Phenotype of a synthetic subject: the diagnosis groups of M&amp;Ms (Campello et al. 2021). CSV codes in <see cref="PathologyCodes"/>.</summary>
public enum Pathology
{
    /// <summary>Normal (NOR): sizes and function from the UK Biobank reference ranges by sex and age.</summary>
    Normal,

    /// <summary>Dilated cardiomyopathy (DCM): dilated, spherical, thin-walled LV with a low ejection fraction.</summary>
    DilatedCardiomyopathy,

    /// <summary>Hypertrophic cardiomyopathy (HCM): asymmetric septal hypertrophy (≥ 15 mm), small cavity, high ejection fraction.</summary>
    HypertrophicCardiomyopathy,

    /// <summary>Hypertensive heart disease (HHD): concentric LV hypertrophy, normal volumes and ejection fraction.</summary>
    HypertensiveHeartDisease,

    /// <summary>Abnormal right ventricle (ARV): dilated RV with a reduced RV ejection fraction; normal LV.</summary>
    AbnormalRightVentricle,

    /// <summary>Athlete's heart syndrome (AHS): balanced enlargement of both ventricles, normal function, mildly increased mass.</summary>
    AthleteHeart,

    /// <summary>Ischaemic heart disease (IHD): a thinned, akinetic infarct sector, dilated LV, reduced ejection fraction.</summary>
    IschemicHeartDisease,

    /// <summary>LV non-compaction (LVNC): a thick trabeculated (non-compacted) layer over a thin compact wall (NC/C &gt; 2.3), reduced ejection fraction.</summary>
    LeftVentricularNonCompaction,
}

/// <summary>M&amp;Ms pathology codes (NOR, DCM, HCM, HHD, ARV, AHS, IHD, LVNC).</summary>
public static class PathologyCodes
{
    /// <summary>The code of <paramref name="pathology"/>.</summary>
    public static string Code(Pathology pathology) => pathology switch
    {
        Pathology.DilatedCardiomyopathy => "DCM",
        Pathology.HypertrophicCardiomyopathy => "HCM",
        Pathology.HypertensiveHeartDisease => "HHD",
        Pathology.AbnormalRightVentricle => "ARV",
        Pathology.AthleteHeart => "AHS",
        Pathology.IschemicHeartDisease => "IHD",
        Pathology.LeftVentricularNonCompaction => "LVNC",
        _ => "NOR",
    };

    /// <summary>Parses a code (case-insensitive).</summary>
    public static bool TryParse(string? code, out Pathology pathology)
    {
        foreach (Pathology p in Enum.GetValues<Pathology>())
        {
            if (string.Equals(Code(p), code?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                pathology = p;
                return true;
            }
        }
        pathology = Pathology.Normal;
        return false;
    }
}
