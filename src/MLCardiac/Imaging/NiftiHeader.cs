namespace MLCardiac.Imaging;

/// <summary>
/// The raw fields of a NIfTI-1/NIfTI-2 header, as stored (NIfTI-1's 32-bit values widened). Only this object carries
/// the free-text fields (<see cref="Description"/>, <see cref="AuxFile"/>, <see cref="IntentName"/>), which can hold
/// patient identifiers: <see cref="Volume"/> and everything MLCardiac writes leave them out unless asked explicitly.
/// </summary>
public sealed class NiftiHeader
{
    /// <summary>Header layout (NIfTI-1 = 348 bytes, NIfTI-2 = 540 bytes).</summary>
    public NiftiVersion Version { get; init; } = NiftiVersion.Nifti1;

    /// <summary>True when the file stores numbers big-endian.</summary>
    public bool IsBigEndian { get; init; }

    /// <summary>dim[0..7]: dim[0] is the number of dimensions, dim[1..] the sizes.</summary>
    public IReadOnlyList<long> Dim { get; init; } = [3, 1, 1, 1, 1, 1, 1, 1];

    /// <summary>The raw datatype code (see <see cref="NiftiDataType"/> for those supported).</summary>
    public int DataTypeCode { get; init; } = (int)NiftiDataType.Float32;

    /// <summary>Bits per voxel as stored.</summary>
    public int BitsPerVoxel { get; init; } = 32;

    /// <summary>pixdim[0..7]: pixdim[0] is qfac (±1), pixdim[1..3] the voxel size, pixdim[4] the time step (in <see cref="XyztUnits"/>).</summary>
    public IReadOnlyList<double> PixDim { get; init; } = [1, 1, 1, 1, 0, 0, 0, 0];

    /// <summary>Byte offset of the voxel data in the file.</summary>
    public long VoxOffset { get; init; }

    /// <summary>scl_slope (0 or NaN: no scaling).</summary>
    public double SclSlope { get; init; }

    /// <summary>scl_inter.</summary>
    public double SclInter { get; init; }

    /// <summary>xyzt_units: spatial unit in bits 0–2 (1 m, 2 mm, 3 µm), temporal in bits 3–5 (8 s, 16 ms, 24 µs).</summary>
    public int XyztUnits { get; init; }

    /// <summary>Meaning of the quaternion transform (qform_code).</summary>
    public int QformCode { get; init; }

    /// <summary>Meaning of the srow transform (sform_code).</summary>
    public int SformCode { get; init; }

    /// <summary>quatern_b, quatern_c, quatern_d.</summary>
    public (double B, double C, double D) Quaternion { get; init; }

    /// <summary>qoffset_x, qoffset_y, qoffset_z.</summary>
    public (double X, double Y, double Z) QOffset { get; init; }

    /// <summary>srow_x, srow_y, srow_z: the first three rows of the sform affine, row-major (12 values).</summary>
    public IReadOnlyList<double> SRows { get; init; } = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];

    /// <summary>intent_code.</summary>
    public int IntentCode { get; init; }

    /// <summary>cal_min (display range).</summary>
    public double CalMin { get; init; }

    /// <summary>cal_max (display range).</summary>
    public double CalMax { get; init; }

    /// <summary>slice_duration (in the temporal unit).</summary>
    public double SliceDuration { get; init; }

    /// <summary>toffset (in the temporal unit).</summary>
    public double TOffset { get; init; }

    /// <summary>dim_info (frequency/phase/slice axes packed in 2-bit fields).</summary>
    public int DimInfo { get; init; }

    /// <summary>descrip: free text, up to 79 characters. May hold patient identifiers.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>aux_file: free text, up to 23 characters. May hold identifiers.</summary>
    public string AuxFile { get; init; } = string.Empty;

    /// <summary>intent_name: free text, up to 15 characters.</summary>
    public string IntentName { get; init; } = string.Empty;

    /// <summary>Size of this header in bytes (348 or 540).</summary>
    public int HeaderSizeBytes => Version == NiftiVersion.Nifti1 ? NiftiHeaderCodec.Nifti1HeaderSize : NiftiHeaderCodec.Nifti2HeaderSize;
}
