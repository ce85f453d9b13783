namespace MLCardiac.Data.Synthetic;

/// <summary>
/// The cine bSSFP sequence as a centre runs it: timing, flip angle, readout bandwidth, field of view, acquired and
/// reconstructed matrices, slices, partial Fourier and parallel imaging. Ranges follow the SCMR standardized protocols
/// (Kramer et al., J Cardiovasc Magn Reson 22:17, 2020: slice 6–8 mm with 2–4 mm gaps, in-plane ≤ 2 mm); the built-in
/// values (<see cref="VendorProfiles"/>) are plausible, not measured at any site.
/// </summary>
public sealed record CineProtocol
{
    /// <summary>Repetition time TR, ms (bSSFP: 2.5–4).</summary>
    public required double RepetitionTimeMs { get; init; }

    /// <summary>Echo time TE, ms (≈ TR/2).</summary>
    public required double EchoTimeMs { get; init; }

    /// <summary>Nominal flip angle, degrees (1.5 T ≈ 60–80°, 3 T ≈ 40–50° for SAR).</summary>
    public required double FlipAngleDeg { get; init; }

    /// <summary>Receiver bandwidth per pixel, Hz/pixel; noise σ ∝ √bandwidth.</summary>
    public required double BandwidthHzPerPixel { get; init; }

    /// <summary>Field of view along the readout, mm (the operator widens it for large patients).</summary>
    public required double FovReadMm { get; init; }

    /// <summary>Phase field of view as a fraction of the readout one (rectangular FOV), (0.5, 1].</summary>
    public double FovPhaseFraction { get; init; } = 0.85;

    /// <summary>Reconstructed matrix along the readout (pixels); pixel spacing = FOV / this.</summary>
    public required int ReconMatrixRead { get; init; }

    /// <summary>Acquired readout samples as a fraction of <see cref="ReconMatrixRead"/> (zero-fill interpolation when &lt; 1).</summary>
    public required double AcquiredFractionRead { get; init; }

    /// <summary>Acquired phase-encoding lines relative to the readout resolution ("phase resolution"), (0, 1].</summary>
    public required double PhaseResolution { get; init; }

    /// <summary>Slice thickness, mm.</summary>
    public required double SliceThicknessMm { get; init; }

    /// <summary>Gap between slices, mm (slice spacing = thickness + gap).</summary>
    public double SliceGapMm { get; init; }

    /// <summary>Partial Fourier along the phase direction: acquired fraction of the full k-space extent, [0.5, 1].</summary>
    public double PartialFourierPhase { get; init; } = 1.0;

    /// <summary>Partial (asymmetric) echo along the readout, [0.5, 1].</summary>
    public double PartialEchoRead { get; init; } = 1.0;

    /// <summary>How the unacquired part of an asymmetric k-space is reconstructed: "zeroFill" (magnitude of the zero-filled data: blur) or "homodyne" (phase-corrected: for a real object, the full window).</summary>
    public string PartialFourierReconstruction { get; init; } = "zeroFill";

    /// <summary>Parallel imaging acceleration R (SENSE/GRAPPA/ASSET/SPEEDER), ≥ 1; noise σ ∝ g·√R.</summary>
    public double AccelerationFactor { get; init; } = 1.0;

    /// <summary>Mean geometry factor g of the parallel reconstruction, ≥ 1.</summary>
    public double GeometryFactor { get; init; } = 1.0;

    /// <summary>Phase-encoding direction in the image: "rows" (vertical, anterior–posterior) or "columns" (horizontal).</summary>
    public string PhaseEncoding { get; init; } = "rows";

    /// <summary>Throws <see cref="MLCardiacException"/> naming <paramref name="file"/> and the JSON path of the first bad value.</summary>
    public void Validate(string file, string path)
    {
        ProfileChecks.Range(file, path, "repetitionTimeMs", RepetitionTimeMs, 1.5, 10);
        ProfileChecks.Range(file, path, "echoTimeMs", EchoTimeMs, 0.5, RepetitionTimeMs);
        ProfileChecks.Range(file, path, "flipAngleDeg", FlipAngleDeg, 5, 120);
        ProfileChecks.Range(file, path, "bandwidthHzPerPixel", BandwidthHzPerPixel, 100, 3000);
        ProfileChecks.Range(file, path, "fovReadMm", FovReadMm, 150, 600);
        ProfileChecks.Range(file, path, "fovPhaseFraction", FovPhaseFraction, 0.5, 1);
        ProfileChecks.Range(file, path, "reconMatrixRead", ReconMatrixRead, 64, 512);
        ProfileChecks.Range(file, path, "acquiredFractionRead", AcquiredFractionRead, 0.25, 1);
        ProfileChecks.Range(file, path, "phaseResolution", PhaseResolution, 0.25, 1);
        ProfileChecks.Range(file, path, "sliceThicknessMm", SliceThicknessMm, 2, 20);
        ProfileChecks.Range(file, path, "sliceGapMm", SliceGapMm, 0, 10);
        ProfileChecks.Range(file, path, "partialFourierPhase", PartialFourierPhase, 0.5, 1);
        ProfileChecks.Range(file, path, "partialEchoRead", PartialEchoRead, 0.5, 1);
        ProfileChecks.OneOf(file, path, "partialFourierReconstruction", PartialFourierReconstruction, ["zeroFill", "homodyne"]);
        ProfileChecks.Range(file, path, "accelerationFactor", AccelerationFactor, 1, 8);
        ProfileChecks.Range(file, path, "geometryFactor", GeometryFactor, 1, 3);
        ProfileChecks.OneOf(file, path, "phaseEncoding", PhaseEncoding, ["rows", "columns"]);
    }
}
