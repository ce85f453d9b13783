namespace MLCardiac.Data.Synthetic;

/// <summary>
/// The appearance model of one (synthetic) MRI vendor: acquisition geometry, bSSFP tissue contrast,
/// noise, coil bias field, effective resolution (k-space truncation, reconstruction filter, blur) and the
/// intensity scaling of the stored image, with the per-subject jitter of each. See README.md beside this
/// file for the table of the four built-in vendors (<see cref="VendorProfiles"/>).
/// </summary>
public sealed record VendorProfile
{
    /// <summary>Vendor code as in the M&amp;Ms "Vendor" column (A, B, C, D, …).</summary>
    public required string Code { get; init; }

    /// <summary>Human-readable vendor name for the "VendorName" column (e.g. "Siemens-like").</summary>
    public required string VendorName { get; init; }

    /// <summary>Centre numbers subjects of this vendor are attributed to (chosen per subject).</summary>
    public required IReadOnlyList<int> Centres { get; init; }

    /// <summary>Reconstructed matrix size along x (image columns).</summary>
    public required int MatrixX { get; init; }

    /// <summary>Reconstructed matrix size along y (image rows).</summary>
    public required int MatrixY { get; init; }

    /// <summary>Nominal in-plane pixel spacing in mm (the same along x and y).</summary>
    public required double PixelSpacingMm { get; init; }

    /// <summary>Relative per-subject jitter (uniform ±) of the pixel spacing.</summary>
    public double PixelSpacingJitter { get; init; } = 0.04;

    /// <summary>Slice thickness = slice spacing in mm.</summary>
    public required double SliceThicknessMm { get; init; }

    /// <summary>Tissue signals relative to blood.</summary>
    public required TissueContrast Contrast { get; init; }

    /// <summary>Log-normal σ of the per-subject jitter of each tissue ratio.</summary>
    public double ContrastJitter { get; init; } = 0.06;

    /// <summary>Rician noise: σ of each of the real and imaginary Gaussian components, relative to blood signal.</summary>
    public required double NoiseSigma { get; init; }

    /// <summary>Log-normal σ of the per-subject jitter of <see cref="NoiseSigma"/>.</summary>
    public double NoiseJitter { get; init; } = 0.12;

    /// <summary>σ of the random coefficients of the smooth log bias field (coil sensitivity); 0.3 ≈ ±30 % shading.</summary>
    public required double BiasFieldStrength { get; init; }

    /// <summary>Systematic anterior-to-posterior log-intensity drop of the bias field (anterior surface coil), over the half FOV.</summary>
    public required double AnteriorCoilGradient { get; init; }

    /// <summary>Probability that a subject shows a bSSFP off-resonance banding artefact (a dark ring where the B0 phase reaches π).</summary>
    public double BandingProbability { get; init; }

    /// <summary>Fraction of k-space acquired along x (readout), (0, 1]; the rest is zero-filled.</summary>
    public required double AcquiredFractionX { get; init; }

    /// <summary>Fraction of k-space acquired along y (phase encoding), (0, 1].</summary>
    public required double AcquiredFractionY { get; init; }

    /// <summary>Uniform ± jitter of both acquired fractions (absolute).</summary>
    public double AcquiredFractionJitter { get; init; } = 0.04;

    /// <summary>Fermi roll-off width of the reconstruction filter (fraction of the k-space half-width); 0 = hard cut, strong Gibbs ringing.</summary>
    public required double KSpaceRolloff { get; init; }

    /// <summary>Additional Gaussian blur σ in mm.</summary>
    public required double BlurSigmaMm { get; init; }

    /// <summary>Stored value of blood (before bias and noise): the intensity scale.</summary>
    public required double IntensityScale { get; init; }

    /// <summary>Log-normal σ of the per-subject jitter of <see cref="IntensityScale"/>.</summary>
    public double IntensityScaleJitter { get; init; } = 0.2;

    /// <summary>Constant added to every stored value.</summary>
    public required double IntensityOffset { get; init; }
}
