using System.IO.Compression;

namespace MLCardiac.Imaging;

/// <summary>How <see cref="NiftiWriter"/> stores a volume.</summary>
public sealed class NiftiWriteOptions
{
    /// <summary>Storage type of the voxels; default float32. Integer types round to nearest (ties to even) and refuse values that do not fit (use int16/uint8 for label maps).</summary>
    public NiftiDataType DataType { get; init; } = NiftiDataType.Float32;

    /// <summary>Header layout; <c>null</c> (default) writes NIfTI-1 unless a dimension exceeds 32767, then NIfTI-2.</summary>
    public NiftiVersion? Version { get; init; }

    /// <summary>Text for the header's <c>descrip</c> field (at most 79 Latin-1 characters); empty by default so that nothing identifying is written by accident.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>sform_code written with the affine; default <see cref="NiftiXformCode.AlignedAnatomical"/> (2).</summary>
    public NiftiXformCode SformCode { get; init; } = NiftiXformCode.AlignedAnatomical;

    /// <summary>qform_code written with the affine's rotation; default <see cref="NiftiXformCode.ScannerAnatomical"/> (1).</summary>
    public NiftiXformCode QformCode { get; init; } = NiftiXformCode.ScannerAnatomical;

    /// <summary>
    /// The header's <c>scl_slope</c> (default 1): voxels are stored as value / slope (rounded for integer types), so readers
    /// that apply the slope, as nibabel and <see cref="NiftiReader"/> do, get the values back. Scanners' DICOM rescale slopes
    /// arrive this way in converted files (e.g. Philips).
    /// </summary>
    public double ScaleSlope { get; init; } = 1;

    /// <summary>gzip level for .nii.gz; default <see cref="CompressionLevel.Fastest"/> (nibabel also writes level 1).</summary>
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Fastest;

    /// <summary>The defaults.</summary>
    public static NiftiWriteOptions Default { get; } = new();
}
