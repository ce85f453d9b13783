namespace MLCardiac.Data.Synthetic;

/// <summary>
/// Relaxation times and relative proton density of one tissue at one field strength.
/// </summary>
/// <param name="T1Ms">Longitudinal relaxation time, ms.</param>
/// <param name="T2Ms">Transverse relaxation time, ms.</param>
/// <param name="ProtonDensity">Proton density relative to blood (blood = 1).</param>
/// <param name="T2StarMs">Apparent transverse relaxation from intravoxel dephasing, ms; only tissues where it matters at a bSSFP echo time (lung) set it, otherwise +∞.</param>
public sealed record TissueRelaxation(double T1Ms, double T2Ms, double ProtonDensity, double T2StarMs = double.PositiveInfinity)
{
    /// <summary>
    /// Values at 1.5 T and 3 T. In vivo myocardium: T1 from MOLLI-type mapping (≈ 950–1050 ms at 1.5 T, ≈ 1150–1250 ms at
    /// 3 T; Messroghli et al., J Cardiovasc Magn Reson 19:75, 2017), T2 ≈ 52 ms at 1.5 T (Giri et al., J Cardiovasc Magn Reson
    /// 11:56, 2009) and ≈ 45 ms at 3 T (von Knobelsdorff-Brenkenhoff et al., J Cardiovasc Magn Reson 15:53, 2013); arterial
    /// blood T1 ≈ 1550 ms (1.5 T) and ≈ 1930 ms (3 T), T2 ≈ 250 and ≈ 190 ms (haematocrit- and oxygenation-dependent; Stanisz
    /// 2005, Lu et al., Magn Reson Med 52:679, 2004). Liver, skeletal muscle — Stanisz et al., "T1, T2 relaxation and
    /// magnetization transfer in tissue at 3T", Magn Reson Med 54:507–512 (2005), which also measured at 1.5 T; subcutaneous
    /// fat, spleen, vertebral marrow — de Bazelaire et al., "MR imaging relaxation times of abdominal and pelvic tissues
    /// measured in vivo at 3.0 T", Radiology 230:652–659 (2004), 1.5 T and 3 T columns; lung T1 — Stadler et al., J Magn Reson
    /// Imaging 21:759–764 (2005), lung T2* ≈ 2 ms at 1.5 T and ≈ 1 ms at 3 T (Yu et al., Magn Reson Med 2011); CSF and free
    /// water: T1 ≈ 4 s, T2 ≈ 1.5–2 s (order of magnitude, both fields). Proton densities are approximate water contents
    /// relative to blood (lung ≈ 0.15: mostly air). These are population means; the sampler jitters T1 (σ 5 %) and T2
    /// (σ 8 %) per subject and tissue.
    /// </summary>
    private static readonly Dictionary<Tissue, (TissueRelaxation At15, TissueRelaxation At3)> Table = new()
    {
        [Tissue.Blood] = (new(1550, 250, 1.00), new(1930, 190, 1.00)),
        [Tissue.Myocardium] = (new(1000, 52, 0.90), new(1200, 45, 0.90)),
        [Tissue.Fat] = (new(343, 58, 0.95), new(382, 68, 0.95)),
        [Tissue.Liver] = (new(576, 46, 0.82), new(812, 42, 0.82)),
        [Tissue.SkeletalMuscle] = (new(1008, 44, 0.88), new(1412, 50, 0.88)),
        [Tissue.Lung] = (new(1199, 40, 0.15, 2.0), new(1300, 35, 0.15, 1.0)),
        [Tissue.Spleen] = (new(1057, 79, 0.92), new(1328, 61, 0.92)),
        [Tissue.Csf] = (new(4000, 2000, 1.05), new(4300, 1800, 1.05)),
        [Tissue.Fluid] = (new(3500, 1500, 1.05), new(3800, 1300, 1.05)),
        [Tissue.BoneMarrow] = (new(549, 49, 0.85), new(586, 49, 0.85)),
        [Tissue.SoftTissue] = (new(1000, 55, 0.85), new(1350, 50, 0.85)),
    };

    /// <summary>
    /// The values of <paramref name="tissue"/> at <paramref name="fieldStrengthT"/>: the tabulated 1.5 T and 3 T values,
    /// interpolated (and, outside [1.5, 3] T, extrapolated) as a power law in B0 for T1, T2 and T2*.
    /// </summary>
    public static TissueRelaxation At(Tissue tissue, double fieldStrengthT)
    {
        if (!(fieldStrengthT > 0)) throw new ArgumentOutOfRangeException(nameof(fieldStrengthT), fieldStrengthT, "must be > 0 T");
        var (a, b) = Table[tissue];
        double u = Math.Log(fieldStrengthT / 1.5) / Math.Log(2.0);
        static double Power(double x, double y, double u) => double.IsPositiveInfinity(x) ? x : x * Math.Pow(y / x, u);
        return new TissueRelaxation(Power(a.T1Ms, b.T1Ms, u), Power(a.T2Ms, b.T2Ms, u), a.ProtonDensity, Power(a.T2StarMs, b.T2StarMs, u));
    }
}
