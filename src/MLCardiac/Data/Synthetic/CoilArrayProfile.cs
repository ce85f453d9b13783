namespace MLCardiac.Data.Synthetic;

/// <summary>
/// The receive coil: anterior and posterior arrays of loop elements on the body surface. Each element's sensitivity falls
/// off as a loop's on-axis field, r³/(r² + d²)^(3/2); images are combined by root sum of squares, so brightness follows
/// √Σ|s_c|² and the noise of the magnitude is non-central chi with 2L degrees of freedom (Constantinides et al., Magn Reson
/// Med 38:852, 1997). L is the effective number of independent channels: correlated channel noise behaves like fewer
/// channels than elements (Aja-Fernández &amp; Tristán-Vega, Magn Reson Med 2012).
/// </summary>
public sealed record CoilArrayProfile
{
    /// <summary>Elements of the anterior array (in a 2 × n/2 grid over the chest).</summary>
    public required int AnteriorElements { get; init; }

    /// <summary>Elements of the posterior (spine) array.</summary>
    public required int PosteriorElements { get; init; }

    /// <summary>Loop radius of one element, mm.</summary>
    public double ElementRadiusMm { get; init; } = 60;

    /// <summary>Effective independent channels L of the root-sum-of-squares noise (1–16).</summary>
    public required int EffectiveChannels { get; init; }

    /// <summary>Relative SNR efficiency of the array (1 = reference; dense modern arrays &gt; 1).</summary>
    public double Efficiency { get; init; } = 1.0;

    /// <summary>Throws <see cref="MLCardiacException"/> naming the file and JSON path of the first bad value.</summary>
    public void Validate(string file, string path)
    {
        ProfileChecks.Range(file, path, "anteriorElements", AnteriorElements, 1, 64);
        ProfileChecks.Range(file, path, "posteriorElements", PosteriorElements, 0, 64);
        ProfileChecks.Range(file, path, "elementRadiusMm", ElementRadiusMm, 20, 200);
        ProfileChecks.Range(file, path, "effectiveChannels", EffectiveChannels, 1, 16);
        ProfileChecks.Range(file, path, "efficiency", Efficiency, 0.2, 5);
    }
}
