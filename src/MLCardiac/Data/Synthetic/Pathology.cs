namespace MLCardiac.Data.Synthetic;

/// <summary>Phenotype of a synthetic subject; the CSV code is in brackets (as in M&amp;Ms).</summary>
public enum Pathology
{
    /// <summary>Normal (NOR): normal size, wall thickness and ejection fraction.</summary>
    Normal,

    /// <summary>Dilated cardiomyopathy (DCM): enlarged LV, thin wall, reduced ejection fraction.</summary>
    DilatedCardiomyopathy,

    /// <summary>Hypertrophic cardiomyopathy (HCM): thick (asymmetric septal) wall, small cavity, high ejection fraction.</summary>
    HypertrophicCardiomyopathy,
}
