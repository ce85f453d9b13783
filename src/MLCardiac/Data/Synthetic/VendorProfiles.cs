namespace MLCardiac.Data.Synthetic;

/// <summary>
/// The built-in vendors, modelled on the four vendors and six centres of M&amp;Ms (Campello et al., IEEE Trans Med Imaging
/// 40:3543, 2021): A Siemens-like (centre 1 at 1.5 T, centre 6 at 3 T), B Philips-like (centres 2 and 3), C GE-like
/// (centre 4), D Canon-like (centre 5). Field strengths follow the M&amp;Ms scanner list; sequence timings, flip angles,
/// bandwidths, matrices, filters and coils are typical published/vendor-default ranges for cine bSSFP, not values measured
/// at those sites. Tissue contrast is not set here: it follows from the protocol and field through the Bloch equations
/// (<see cref="BssfpSignal"/>, <see cref="TissueRelaxation"/>). README.md beside this file tabulates them.
/// </summary>
public static class VendorProfiles
{
    private static CoilArrayProfile Coil(int anterior, int posterior, int effective, double efficiency) =>
        new() { AnteriorElements = anterior, PosteriorElements = posterior, EffectiveChannels = effective, Efficiency = efficiency };

    /// <summary>"A", Siemens-like: sharp reconstruction (little filtering: ringing), fixed receiver scaling; centre 1 (1.5 T, no uniformity correction) and centre 6 (3 T, lower flip angle for SAR, stronger B1⁺ and B0 non-uniformity, Prescan Normalize).</summary>
    public static VendorProfile A { get; } = new()
    {
        Code = "A",
        VendorName = "Siemens-like",
        Reconstruction = new ReconstructionProfile { FilterRolloff = 0.02, ExtraBlurMm = 0 },
        Storage = new StorageConvention { ScaleMode = "fixed", Scale = 1800 },
        Centres =
        [
            new CentreProfile
            {
                Id = 1, Scanner = "1.5 T Avanto-like", FieldStrengthT = 1.5, Share = 0.65, ShimResidualPpm = 1.6, B1Variation = 0.08,
                Coil = Coil(12, 12, 8, 1.0),
                Protocol = new CineProtocol
                {
                    RepetitionTimeMs = 3.0, EchoTimeMs = 1.3, FlipAngleDeg = 70, BandwidthHzPerPixel = 930, FovReadMm = 340, FovPhaseFraction = 0.84,
                    ReconMatrixRead = 208, AcquiredFractionRead = 0.92, PhaseResolution = 0.8, SliceThicknessMm = 8, SliceGapMm = 2,
                    AccelerationFactor = 2, GeometryFactor = 1.1,
                },
            },
            new CentreProfile
            {
                Id = 6, Scanner = "3 T Skyra-like", FieldStrengthT = 3.0, Share = 0.35, ShimResidualPpm = 1.8, B1Variation = 0.28, UniformityCorrection = true,
                Coil = Coil(18, 14, 10, 1.15),
                Protocol = new CineProtocol
                {
                    RepetitionTimeMs = 3.1, EchoTimeMs = 1.4, FlipAngleDeg = 45, BandwidthHzPerPixel = 1000, FovReadMm = 340, FovPhaseFraction = 0.81,
                    ReconMatrixRead = 224, AcquiredFractionRead = 0.86, PhaseResolution = 0.8, SliceThicknessMm = 8, SliceGapMm = 2,
                    AccelerationFactor = 2, GeometryFactor = 1.1,
                },
            },
        ],
    };

    /// <summary>"B", Philips-like: reconstruction to a finer matrix than acquired (zero-fill interpolation), smooth filter, partial Fourier ("halfscan", homodyne), CLEAR uniformity correction, stored with a DICOM rescale slope; centres 2 and 3 run different protocols at 1.5 T.</summary>
    public static VendorProfile B { get; } = new()
    {
        Code = "B",
        VendorName = "Philips-like",
        Reconstruction = new ReconstructionProfile { FilterRolloff = 0.10, ExtraBlurMm = 0 },
        Storage = new StorageConvention { ScaleMode = "auto", Scale = 3000, RescaleSlope = 1.7 },
        Centres =
        [
            new CentreProfile
            {
                Id = 2, Scanner = "1.5 T Achieva-like", FieldStrengthT = 1.5, Share = 0.5, ShimResidualPpm = 1.5, B1Variation = 0.1, UniformityCorrection = true,
                Coil = Coil(16, 16, 7, 1.0),
                Protocol = new CineProtocol
                {
                    RepetitionTimeMs = 2.9, EchoTimeMs = 1.45, FlipAngleDeg = 60, BandwidthHzPerPixel = 1050, FovReadMm = 350, FovPhaseFraction = 0.9,
                    ReconMatrixRead = 240, AcquiredFractionRead = 0.67, PhaseResolution = 0.85, SliceThicknessMm = 8, SliceGapMm = 2,
                    PartialFourierPhase = 0.8, PartialFourierReconstruction = "homodyne", AccelerationFactor = 2, GeometryFactor = 1.15,
                },
            },
            new CentreProfile
            {
                Id = 3, Scanner = "1.5 T Achieva-like (dStream)", FieldStrengthT = 1.5, Share = 0.5, ShimResidualPpm = 1.4, B1Variation = 0.1, UniformityCorrection = true,
                Coil = Coil(16, 16, 8, 1.1),
                Protocol = new CineProtocol
                {
                    RepetitionTimeMs = 3.2, EchoTimeMs = 1.6, FlipAngleDeg = 55, BandwidthHzPerPixel = 900, FovReadMm = 360, FovPhaseFraction = 0.85,
                    ReconMatrixRead = 256, AcquiredFractionRead = 0.7, PhaseResolution = 0.8, SliceThicknessMm = 10, SliceGapMm = 0,
                    PartialFourierPhase = 0.85, PartialFourierReconstruction = "homodyne", AccelerationFactor = 2, GeometryFactor = 1.15,
                },
            },
        ],
    };

    /// <summary>"C", GE-like: an older 1.5 T system with an 8-channel cardiac coil (lower SNR, strong coil shading, no uniformity correction), longer TR, fractional echo reconstructed by zero filling (blur along the readout), ZIP interpolation to a finer matrix, Fermi filter.</summary>
    public static VendorProfile C { get; } = new()
    {
        Code = "C",
        VendorName = "GE-like",
        Reconstruction = new ReconstructionProfile { FilterRolloff = 0.05, ExtraBlurMm = 0 },
        Storage = new StorageConvention { ScaleMode = "auto", Scale = 2000 },
        Centres =
        [
            new CentreProfile
            {
                Id = 4, Scanner = "1.5 T Signa Excite-like", FieldStrengthT = 1.5, Share = 1, ShimResidualPpm = 1.8, B1Variation = 0.1,
                Coil = Coil(4, 4, 4, 0.8),
                Protocol = new CineProtocol
                {
                    RepetitionTimeMs = 3.7, EchoTimeMs = 1.6, FlipAngleDeg = 55, BandwidthHzPerPixel = 977, FovReadMm = 360, FovPhaseFraction = 0.75,
                    ReconMatrixRead = 256, AcquiredFractionRead = 0.625, PhaseResolution = 0.8, SliceThicknessMm = 8, SliceGapMm = 2,
                    PartialEchoRead = 0.75, PartialFourierReconstruction = "zeroFill", AccelerationFactor = 1, GeometryFactor = 1.0,
                },
            },
        ],
    };

    /// <summary>"D", Canon-like: thinner slices with wider gaps, strong reconstruction smoothing, parallel imaging with a higher g-factor, uniformity correction, small stored intensity scale.</summary>
    public static VendorProfile D { get; } = new()
    {
        Code = "D",
        VendorName = "Canon-like",
        Reconstruction = new ReconstructionProfile { FilterRolloff = 0.16, ExtraBlurMm = 0.5 },
        Storage = new StorageConvention { ScaleMode = "fixed", Scale = 900 },
        Centres =
        [
            new CentreProfile
            {
                Id = 5, Scanner = "1.5 T Vantage Orian-like", FieldStrengthT = 1.5, Share = 1, ShimResidualPpm = 1.5, B1Variation = 0.1, UniformityCorrection = true,
                Coil = Coil(16, 16, 7, 1.0),
                Protocol = new CineProtocol
                {
                    RepetitionTimeMs = 3.4, EchoTimeMs = 1.7, FlipAngleDeg = 60, BandwidthHzPerPixel = 1100, FovReadMm = 350, FovPhaseFraction = 0.85,
                    ReconMatrixRead = 224, AcquiredFractionRead = 0.8, PhaseResolution = 0.75, SliceThicknessMm = 7, SliceGapMm = 3,
                    PhaseEncoding = "columns", AccelerationFactor = 2, GeometryFactor = 1.3,
                },
            },
        ],
    };

    /// <summary>All built-in vendors in code order.</summary>
    public static IReadOnlyList<VendorProfile> All { get; } = [A, B, C, D];

    /// <summary>The built-in vendor with <paramref name="code"/> (case-insensitive).</summary>
    /// <exception cref="MLCardiacException">No built-in vendor has that code.</exception>
    public static VendorProfile Get(string code) => VendorProfileSet.BuiltIn.Get(code);
}
