namespace MLCardiac.Data.Synthetic;

/// <summary>Metadata of one synthetic subject: the M&amp;Ms CSV columns plus the drawn physiological targets.</summary>
public sealed record SyntheticSubjectInfo
{
    /// <summary>Six-character external code (M&amp;Ms style, e.g. "A1D0Q7"), unique within a cohort seed.</summary>
    public required string Code { get; init; }

    /// <summary>Vendor code (A, B, C, D).</summary>
    public required string VendorCode { get; init; }

    /// <summary>Vendor name (e.g. "Siemens-like").</summary>
    public required string VendorName { get; init; }

    /// <summary>Index of the subject within its vendor (0-based).</summary>
    public required int IndexInVendor { get; init; }

    /// <summary>Centre number.</summary>
    public required int Centre { get; init; }

    /// <summary>End-diastolic frame, 0-based.</summary>
    public required int EdFrame { get; init; }

    /// <summary>End-systolic frame, 0-based.</summary>
    public required int EsFrame { get; init; }

    /// <summary>Phenotype.</summary>
    public required Pathology Pathology { get; init; }

    /// <summary>Age in years.</summary>
    public required int AgeYears { get; init; }

    /// <summary>'M' or 'F'.</summary>
    public required char Sex { get; init; }

    /// <summary>Height in cm.</summary>
    public required double HeightCm { get; init; }

    /// <summary>Weight in kg.</summary>
    public required double WeightKg { get; init; }

    /// <summary>Drawn LV ejection fraction (0–1) the motion model reproduces.</summary>
    public required double TargetEjectionFraction { get; init; }

    /// <summary>Drawn LV end-diastolic volume in ml (continuous model, before voxelisation).</summary>
    public required double TargetEdvMl { get; init; }

    /// <summary>Drawn LV wall thickness at end diastole in mm (mid-ventricle, before regional variation).</summary>
    public required double WallThicknessMm { get; init; }

    /// <summary>Heart rate in beats per minute; the cine's frames span one cycle, 60 / rate / frames seconds apart.</summary>
    public required double HeartRateBpm { get; init; }

    /// <summary>The M&amp;Ms pathology code: NOR, DCM or HCM.</summary>
    public string PathologyCode => Pathology switch
    {
        Pathology.DilatedCardiomyopathy => "DCM",
        Pathology.HypertrophicCardiomyopathy => "HCM",
        _ => "NOR",
    };
}
