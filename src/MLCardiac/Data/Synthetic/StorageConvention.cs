namespace MLCardiac.Data.Synthetic;

/// <summary>
/// How the reconstructed magnitude becomes stored numbers and a NIfTI file: the integer scaling of the vendor's DICOM
/// (a fixed receiver scale, or automatic scaling of each series to a target), the DICOM rescale slope that dcm2niix
/// carries into <c>scl_slope</c> (Philips stores pixel values with a rescale slope), and the converter's orientation
/// convention (dcm2niix flips the rows so the image shows upright in NIfTI viewers, with the affine accounting for it).
/// </summary>
public sealed record StorageConvention
{
    /// <summary>"fixed": stored = signal × <see cref="Scale"/> × a per-subject receiver-gain jitter; "auto": the series' 99.5th percentile is scaled to <see cref="Scale"/>.</summary>
    public string ScaleMode { get; init; } = "fixed";

    /// <summary>Stored value of unit blood signal ("fixed"), or of the 99.5th percentile ("auto").</summary>
    public required double Scale { get; init; }

    /// <summary>Log-normal σ of the per-subject receiver gain ("fixed").</summary>
    public double GainJitter { get; init; } = 0.2;

    /// <summary>DICOM rescale slope carried into the NIfTI <c>scl_slope</c>: voxels are stored as round(value / slope).</summary>
    public double RescaleSlope { get; init; } = 1.0;

    /// <summary>"dcm2niix" (rows flipped, affine adjusted) or "dicom" (rows in DICOM order).</summary>
    public string Converter { get; init; } = "dcm2niix";

    /// <summary>Throws <see cref="MLCardiacException"/> naming the file and JSON path of the first bad value.</summary>
    public void Validate(string file, string path)
    {
        ProfileChecks.OneOf(file, path, "scaleMode", ScaleMode, ["fixed", "auto"]);
        ProfileChecks.Range(file, path, "scale", Scale, 1, 30_000);
        ProfileChecks.Range(file, path, "gainJitter", GainJitter, 0, 1);
        ProfileChecks.Range(file, path, "rescaleSlope", RescaleSlope, 1e-3, 1e3);
        ProfileChecks.OneOf(file, path, "converter", Converter, ["dcm2niix", "dicom"]);
    }
}
