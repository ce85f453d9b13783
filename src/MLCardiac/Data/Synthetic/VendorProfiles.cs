namespace MLCardiac.Data.Synthetic;

/// <summary>
/// The four built-in vendor appearance models, loosely modelled on the four vendors of the M&amp;Ms
/// challenge (Campello et al., IEEE TMI 2021). Numbers are plausible, not measured from any scanner;
/// they are chosen so the vendors differ the way real ones do: contrast, noise, shading, resolution,
/// ringing and intensity scale. The table in README.md repeats them.
/// </summary>
public static class VendorProfiles
{
    /// <summary>"A", Siemens-like: high blood/myocardium contrast, low noise, mild shading, sharp reconstruction with visible ringing.</summary>
    public static VendorProfile A { get; } = new()
    {
        Code = "A",
        VendorName = "Siemens-like",
        Centres = [1],
        MatrixX = 216,
        MatrixY = 176,
        PixelSpacingMm = 1.45,
        SliceThicknessMm = 8.0,
        Contrast = new TissueContrast { Myocardium = 0.27, Fat = 0.85, Lung = 0.035, Liver = 0.30, Muscle = 0.24, SoftTissue = 0.40 },
        NoiseSigma = 0.020,
        BiasFieldStrength = 0.12,
        AnteriorCoilGradient = 0.15,
        BandingProbability = 0.15,
        AcquiredFractionX = 0.80,
        AcquiredFractionY = 0.66,
        KSpaceRolloff = 0.015,
        BlurSigmaMm = 0.3,
        IntensityScale = 450,
        IntensityOffset = 0,
    };

    /// <summary>"B", Philips-like: moderate contrast, strong anterior coil shading, smooth reconstruction filter, large intensity scale.</summary>
    public static VendorProfile B { get; } = new()
    {
        Code = "B",
        VendorName = "Philips-like",
        Centres = [2, 3],
        MatrixX = 208,
        MatrixY = 192,
        PixelSpacingMm = 1.50,
        SliceThicknessMm = 10.0,
        Contrast = new TissueContrast { Myocardium = 0.36, Fat = 0.72, Lung = 0.06, Liver = 0.42, Muscle = 0.33, SoftTissue = 0.48 },
        NoiseSigma = 0.058,
        BiasFieldStrength = 0.20,
        AnteriorCoilGradient = 0.55,
        BandingProbability = 0.25,
        AcquiredFractionX = 0.85,
        AcquiredFractionY = 0.75,
        KSpaceRolloff = 0.10,
        BlurSigmaMm = 0.6,
        IntensityScale = 2400,
        IntensityOffset = 0,
    };

    /// <summary>"C", GE-like: very high contrast, high noise, low acquired resolution with hard truncation (strong ringing), offset.</summary>
    public static VendorProfile C { get; } = new()
    {
        Code = "C",
        VendorName = "GE-like",
        Centres = [4],
        MatrixX = 192,
        MatrixY = 160,
        PixelSpacingMm = 1.60,
        SliceThicknessMm = 10.0,
        Contrast = new TissueContrast { Myocardium = 0.15, Fat = 0.98, Lung = 0.03, Liver = 0.24, Muscle = 0.19, SoftTissue = 0.32 },
        NoiseSigma = 0.085,
        BiasFieldStrength = 0.20,
        AnteriorCoilGradient = 0.30,
        BandingProbability = 0.40,
        AcquiredFractionX = 0.62,
        AcquiredFractionY = 0.52,
        KSpaceRolloff = 0.0,
        BlurSigmaMm = 0.2,
        IntensityScale = 1100,
        IntensityOffset = 60,
    };

    /// <summary>"D", Canon-like: low blood/myocardium contrast, dark fat, thin slices, heavy smoothing, small intensity scale.</summary>
    public static VendorProfile D { get; } = new()
    {
        Code = "D",
        VendorName = "Canon-like",
        Centres = [5],
        MatrixX = 208,
        MatrixY = 176,
        PixelSpacingMm = 1.40,
        SliceThicknessMm = 7.0,
        Contrast = new TissueContrast { Myocardium = 0.44, Fat = 0.62, Lung = 0.08, Liver = 0.50, Muscle = 0.40, SoftTissue = 0.55 },
        NoiseSigma = 0.032,
        BiasFieldStrength = 0.18,
        AnteriorCoilGradient = 0.05,
        BandingProbability = 0.10,
        AcquiredFractionX = 0.72,
        AcquiredFractionY = 0.72,
        KSpaceRolloff = 0.16,
        BlurSigmaMm = 0.9,
        IntensityScale = 260,
        IntensityOffset = 0,
    };

    /// <summary>All built-in vendors in code order.</summary>
    public static IReadOnlyList<VendorProfile> All { get; } = [A, B, C, D];

    /// <summary>The built-in vendor with <paramref name="code"/> (case-insensitive).</summary>
    /// <exception cref="MLCardiacException">No built-in vendor has that code.</exception>
    public static VendorProfile Get(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        foreach (VendorProfile v in All)
        {
            if (string.Equals(v.Code, code.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }
        throw new MLCardiacException($"Unknown synthetic vendor '{code}'; known vendors: {string.Join(", ", All.Select(v => v.Code))}.");
    }
}
