namespace MLCardiac.Data.Synthetic;

/// <summary>
/// What a subject's heart is drawn to be: volumes, function and mass (the renderer calibrates the geometry so that the
/// label maps measure these), and the shape changes of its pathology.
/// </summary>
internal sealed record CardiacTargets
{
    public required double LvEdvMl { get; init; }
    public required double LvEf { get; init; }
    public required double LvMassG { get; init; }
    public required double RvEdvMl { get; init; }
    public required double RvEf { get; init; }

    /// <summary>LV length (base to endocardial apex) relative to a normal heart of the same volume (&lt; 1: more spherical, as in DCM).</summary>
    public double Sphericity { get; init; } = 1.0;

    /// <summary>Systolic descent of the mitral annulus towards the apex (MAPSE), mm.</summary>
    public required double MapseMm { get; init; }

    /// <summary>Septal over free-wall thickness at end diastole (asymmetric septal hypertrophy ≥ 1.3; Maron et al.); 1 otherwise.</summary>
    public double SeptalRatio { get; init; } = 1;

    /// <summary>Infarct: half width (rad, 0 = none), wall thickness factor inside it, residual contraction (0 akinetic … 1 normal).</summary>
    public (double HalfWidthRad, double Thinning, double Kinesis) Infarct { get; init; } = (0, 1, 1);

    /// <summary>Ratio of non-compacted (trabeculated) to compact layer thickness; 0 = no non-compaction.</summary>
    public double NonCompactionRatio { get; init; }

    /// <summary>Probability-drawn systolic flow void in the LV outflow tract (LVOT obstruction / turbulence).</summary>
    public bool OutflowFlowVoid { get; init; }
}
