namespace MLCardiac.Data.Synthetic;

/// <summary>Metadata of one synthetic subject: the M&amp;Ms CSV columns plus its scanner and the drawn physiological targets.</summary>
public sealed record SyntheticSubjectInfo
{
    /// <summary>Six-character external code (M&amp;Ms style, e.g. "A1D0Q7"), unique within a cohort seed.</summary>
    public required string Code { get; init; }

    /// <summary>Vendor code (A, B, C, D, …).</summary>
    public required string VendorCode { get; init; }

    /// <summary>Vendor name (e.g. "Siemens-like").</summary>
    public required string VendorName { get; init; }

    /// <summary>Index of the subject within its vendor (0-based).</summary>
    public required int IndexInVendor { get; init; }

    /// <summary>Centre number.</summary>
    public required int Centre { get; init; }

    /// <summary>Scanner of the centre (e.g. "3 T Skyra-like").</summary>
    public string Scanner { get; init; } = "";

    /// <summary>Main field, tesla.</summary>
    public double FieldStrengthT { get; init; }

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

    /// <summary>Drawn LV ejection fraction (0–1); the label maps measure it (calibrated).</summary>
    public required double TargetEjectionFraction { get; init; }

    /// <summary>Drawn LV end-diastolic volume in ml, as the ED label map measures it (calibrated).</summary>
    public required double TargetEdvMl { get; init; }

    /// <summary>Drawn LV myocardial mass in g (ED myocardium label volume × 1.05 g/ml, calibrated).</summary>
    public double TargetLvMassG { get; init; }

    /// <summary>Drawn RV end-diastolic volume in ml (calibrated).</summary>
    public double TargetRvEdvMl { get; init; }

    /// <summary>Drawn RV ejection fraction (0–1, calibrated).</summary>
    public double TargetRvEjectionFraction { get; init; }

    /// <summary>LV wall thickness at end diastole in mm at the base of the free wall (regional variation, septal hypertrophy and infarct thinning come on top).</summary>
    public required double WallThicknessMm { get; init; }

    /// <summary>Heart rate in beats per minute; the cine's frames span one cycle, 60 / rate / frames seconds apart.</summary>
    public required double HeartRateBpm { get; init; }

    /// <summary>The M&amp;Ms pathology code (NOR, DCM, HCM, HHD, ARV, AHS, IHD, LVNC).</summary>
    public string PathologyCode => PathologyCodes.Code(Pathology);
}
