namespace MLCardiac.Data;

/// <summary>
/// One frame of one subject, whatever dataset it came from: where its image (and label, if any) is, which
/// frame of those files, and what is known of its acquisition. Labels follow the system's convention
/// (0 background, 1 LV blood pool, 2 LV myocardium, 3 RV blood pool) after <see cref="LabelMap"/> is applied.
/// </summary>
/// <param name="Subject">Dataset subject code (never a patient name).</param>
/// <param name="Vendor">Vendor code as the dataset gives it (M&amp;Ms: A, B, C, D).</param>
/// <param name="Centre">Centre identifier, when known.</param>
/// <param name="Role">ED or ES.</param>
/// <param name="ImagePath">Image file (3D frame or 4D cine).</param>
/// <param name="ImageFrame">0-based frame of <paramref name="ImagePath"/> (0 for a 3D file).</param>
/// <param name="LabelPath">Label file, or null for an unlabeled subject.</param>
/// <param name="LabelFrame">0-based frame of <paramref name="LabelPath"/>.</param>
/// <param name="Dataset">Source dataset name (e.g. "M&amp;Ms", "synthetic").</param>
public sealed record CaseRecord(
    string Subject, string Vendor, string? Centre, FrameRole Role,
    string ImagePath, int ImageFrame, string? LabelPath, int LabelFrame, string Dataset)
{
    /// <summary>
    /// The study's name for the source the record came from (<c>data[i].name</c>), when a study reads it; null otherwise.
    /// With several sources the study also prefixes <see cref="Subject"/> with it (<c>source/subject</c>), so subject codes of
    /// two datasets never collide; the vendor stays as the dataset gives it.
    /// </summary>
    public string? Source { get; init; }
    /// <summary>Vendor's full name, when known.</summary>
    public string? VendorName { get; init; }
    /// <summary>Scanner model, when known.</summary>
    public string? Scanner { get; init; }
    /// <summary>Field strength in tesla, when known.</summary>
    public double? FieldStrengthT { get; init; }
    /// <summary>Diagnosis group, when known.</summary>
    public string? Pathology { get; init; }
    /// <summary>Sex ('M' or 'F'), when the metadata gives it.</summary>
    public char? Sex { get; init; }
    /// <summary>Age in years, when known.</summary>
    public double? AgeYears { get; init; }
    /// <summary>Height in cm, when known.</summary>
    public double? HeightCm { get; init; }
    /// <summary>Weight in kg, when known.</summary>
    public double? WeightKg { get; init; }
    /// <summary>Maps the file's label values to ours (index = file value); null when they already match.</summary>
    public IReadOnlyList<byte>? LabelMap { get; init; }
    /// <summary>Translates label values read from this record's label file to our convention, in place (integer values in the map's range only).</summary>
    public void ToOurLabels(Span<float> labels)
    {
        if (LabelMap is null) return;
        for (int i = 0; i < labels.Length; i++)
        {
            float v = labels[i];
            if (v >= 0 && v < LabelMap.Count && v == MathF.Floor(v)) labels[i] = LabelMap[(int)v];
        }
    }

    /// <summary>True when the record has a label file.</summary>
    public bool IsLabeled => LabelPath is not null;
}
