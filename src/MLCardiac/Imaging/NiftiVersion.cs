namespace MLCardiac.Imaging;

/// <summary>Header layout of a NIfTI file.</summary>
public enum NiftiVersion
{
    /// <summary>NIfTI-1: 348-byte header, 16-bit dimensions, 32-bit float geometry.</summary>
    Nifti1 = 1,

    /// <summary>NIfTI-2: 540-byte header, 64-bit dimensions, 64-bit float geometry.</summary>
    Nifti2 = 2,
}
