namespace MLCardiac.Data.Synthetic;

/// <summary>
/// A vendor's image reconstruction: the k-space apodisation filter (a Fermi window: none gives the hard truncation and its
/// Gibbs ringing; a wide roll-off smooths), and an optional extra Gaussian blur of the image (e.g. a smoothing image filter).
/// </summary>
public sealed record ReconstructionProfile
{
    /// <summary>Fermi roll-off width as a fraction of the acquired k-space half-width; 0 = no filter (hard cut).</summary>
    public double FilterRolloff { get; init; }

    /// <summary>Extra Gaussian blur σ, mm.</summary>
    public double ExtraBlurMm { get; init; }

    /// <summary>Throws <see cref="MLCardiacException"/> naming the file and JSON path of the first bad value.</summary>
    public void Validate(string file, string path)
    {
        ProfileChecks.Range(file, path, "filterRolloff", FilterRolloff, 0, 0.5);
        ProfileChecks.Range(file, path, "extraBlurMm", ExtraBlurMm, 0, 5);
    }
}
