namespace MLCardiac.Imaging;

// The members are named after the NIfTI storage types on purpose (CA1720: identifiers contain type names).
#pragma warning disable CA1720

/// <summary>
/// Voxel storage types of NIfTI-1/NIfTI-2 files that MLCardiac reads and writes; the values are the
/// <c>datatype</c> codes of the NIfTI standard (nifti1.h).
/// </summary>
public enum NiftiDataType
{
    /// <summary>Unsigned 8-bit integer (code 2, <c>DT_UINT8</c>); typical for label maps.</summary>
    UInt8 = 2,

    /// <summary>Signed 16-bit integer (code 4, <c>DT_INT16</c>); typical for MRI magnitude images.</summary>
    Int16 = 4,

    /// <summary>Signed 32-bit integer (code 8, <c>DT_INT32</c>).</summary>
    Int32 = 8,

    /// <summary>32-bit IEEE float (code 16, <c>DT_FLOAT32</c>).</summary>
    Float32 = 16,

    /// <summary>64-bit IEEE float (code 64, <c>DT_FLOAT64</c>).</summary>
    Float64 = 64,

    /// <summary>Signed 8-bit integer (code 256, <c>DT_INT8</c>).</summary>
    Int8 = 256,

    /// <summary>Unsigned 16-bit integer (code 512, <c>DT_UINT16</c>).</summary>
    UInt16 = 512,

    /// <summary>Unsigned 32-bit integer (code 768, <c>DT_UINT32</c>).</summary>
    UInt32 = 768,

    /// <summary>Signed 64-bit integer (code 1024, <c>DT_INT64</c>).</summary>
    Int64 = 1024,
}
#pragma warning restore CA1720
