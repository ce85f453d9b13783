namespace MLCardiac.Data.Synthetic;

/// <summary>
/// One centre (site) of a vendor: its scanner's field strength and coil, the cine protocol it runs, its shim quality, and
/// its share of the vendor's subjects. Protocols differ within a vendor (M&amp;Ms: vendor A at centres 1 and 6, vendor B at
/// centres 2 and 3; Campello et al., IEEE Trans Med Imaging 40:3543, 2021).
/// </summary>
public sealed record CentreProfile
{
    /// <summary>Centre number written to the metadata CSV's "Centre" column.</summary>
    public required int Id { get; init; }

    /// <summary>Scanner description (e.g. "1.5 T Avanto-like"); written to the CSV's "Scanner" column.</summary>
    public required string Scanner { get; init; }

    /// <summary>Main field B0, tesla.</summary>
    public required double FieldStrengthT { get; init; }

    /// <summary>Relative share of the vendor's subjects scanned here (weights are normalised over the vendor's centres).</summary>
    public double Share { get; init; } = 1.0;

    /// <summary>The cine sequence.</summary>
    public required CineProtocol Protocol { get; init; }

    /// <summary>The receive array.</summary>
    public required CoilArrayProfile Coil { get; init; }

    /// <summary>Largest residual B0 inhomogeneity over the torso after shimming, ppm (drawn per subject up to this).</summary>
    public double ShimResidualPpm { get; init; } = 1.5;

    /// <summary>Transmit field (B1⁺) non-uniformity: the flip angle varies by up to ± this fraction across the torso (≈ 0.1 at 1.5 T, 0.25–0.3 at 3 T; dielectric effects).</summary>
    public double B1Variation { get; init; } = 0.1;

    /// <summary>Whether the reconstruction divides by a smooth estimate of the receive sensitivity (Prescan Normalize, CLEAR, PURE/SCIC, NATURAL): flat brightness, noise amplified where the coil sees little.</summary>
    public bool UniformityCorrection { get; init; }

    /// <summary>Throws <see cref="MLCardiacException"/> naming the file and JSON path of the first bad value.</summary>
    public void Validate(string file, string path)
    {
        ProfileChecks.Range(file, path, "id", Id, 0, 99_999);
        if (string.IsNullOrWhiteSpace(Scanner)) throw ProfileChecks.Error(file, $"{path}.scanner", "must not be empty.");
        ProfileChecks.Range(file, path, "fieldStrengthT", FieldStrengthT, 0.2, 11.7);
        ProfileChecks.Range(file, path, "share", Share, 0, 1000);
        ProfileChecks.Range(file, path, "shimResidualPpm", ShimResidualPpm, 0, 5);
        ProfileChecks.Range(file, path, "b1Variation", B1Variation, 0, 0.6);
        if (Protocol is null) throw ProfileChecks.Error(file, $"{path}.protocol", "is required.");
        if (Coil is null) throw ProfileChecks.Error(file, $"{path}.coil", "is required.");
        Protocol.Validate(file, $"{path}.protocol");
        Coil.Validate(file, $"{path}.coil");
    }
}
