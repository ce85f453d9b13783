namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Steady-state (bSSFP cine) signal of each tissue relative to the blood pool (blood = 1, before the
/// vendor's intensity scale). bSSFP contrast goes with T2/T1: blood and fat bright, myocardium, liver and
/// muscle grey, lung nearly black.
/// </summary>
public sealed record TissueContrast
{
    /// <summary>LV/RV myocardium (and papillary muscles, RV free wall).</summary>
    public required double Myocardium { get; init; }

    /// <summary>Subcutaneous, epicardial and pericardial fat.</summary>
    public required double Fat { get; init; }

    /// <summary>Lung parenchyma (nearly no signal).</summary>
    public required double Lung { get; init; }

    /// <summary>Liver.</summary>
    public required double Liver { get; init; }

    /// <summary>Skeletal muscle of the chest wall and back.</summary>
    public required double Muscle { get; init; }

    /// <summary>Mediastinal soft tissue (pericardium, oesophagus, vessels' walls) and vertebral bodies.</summary>
    public required double SoftTissue { get; init; }

    /// <summary>Returns a copy with every ratio multiplied by its own log-normal jitter of width <paramref name="sigma"/>.</summary>
    public TissueContrast Jittered(SeededRandom random, double sigma)
    {
        ArgumentNullException.ThrowIfNull(random);
        return new TissueContrast
        {
            Myocardium = Myocardium * random.Jitter(sigma),
            Fat = Fat * random.Jitter(sigma),
            Lung = Lung * random.Jitter(sigma),
            Liver = Liver * random.Jitter(sigma),
            Muscle = Muscle * random.Jitter(sigma),
            SoftTissue = SoftTissue * random.Jitter(sigma),
        };
    }
}
