namespace MLCardiac.Data.Synthetic;

/// <summary>
/// One generated subject: a 4D short-axis cine as float32 intensities (whole numbers in the int16 range, as a
/// scanner stores them) and a label map for every frame, both x-fastest with shape [SizeX, SizeY, SliceCount, FrameCount].
/// Labels: 0 background, 1 LV blood pool (papillary muscles and trabeculae included), 2 LV myocardium, 3 RV blood pool.
/// </summary>
public sealed class SyntheticSubject
{
    private readonly float[] _image;
    private readonly byte[] _labels;

    /// <summary>Wraps generated arrays (not copied).</summary>
    public SyntheticSubject(SyntheticSubjectInfo info, int sizeX, int sizeY, int sliceCount, int frameCount,
        double pixelSpacingMm, double sliceThicknessMm, float[] image, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        long n = (long)sizeX * sizeY * sliceCount * frameCount;
        if (image.Length != n || labels.Length != n)
        {
            throw new ArgumentException($"image and labels must hold {sizeX}×{sizeY}×{sliceCount}×{frameCount} values.", nameof(image));
        }
        Info = info;
        SizeX = sizeX;
        SizeY = sizeY;
        SliceCount = sliceCount;
        FrameCount = frameCount;
        PixelSpacingMm = pixelSpacingMm;
        SliceThicknessMm = sliceThicknessMm;
        SliceSpacingMm = sliceThicknessMm;
        _image = image;
        _labels = labels;
    }

    /// <summary>Metadata (code, vendor, ED/ES, pathology, demographics, drawn targets).</summary>
    public SyntheticSubjectInfo Info { get; }

    /// <summary>Columns (x).</summary>
    public int SizeX { get; }

    /// <summary>Rows (y).</summary>
    public int SizeY { get; }

    /// <summary>Short-axis slices (z), base first.</summary>
    public int SliceCount { get; }

    /// <summary>Cine frames (t).</summary>
    public int FrameCount { get; }

    /// <summary>In-plane pixel spacing in mm (x and y).</summary>
    public double PixelSpacingMm { get; }

    /// <summary>Slice thickness in mm (the excited slab).</summary>
    public double SliceThicknessMm { get; }

    /// <summary>Distance between slice centres in mm (thickness + gap; the voxel size along z).</summary>
    public double SliceSpacingMm { get; init; }

    /// <summary>Factor from stored numbers to values (the NIfTI <c>scl_slope</c>, a DICOM rescale slope); 1 for most vendors.</summary>
    public double ScaleSlope { get; init; } = 1;

    /// <summary>Whether the converter stores the rows in reverse order (dcm2niix), with the affine accounting for it.</summary>
    public bool FlipRows { get; init; }

    /// <summary>Voxel-to-world (RAS, mm) transform of the arrays as held here (display order: row 0 anterior); null gives spacing only.</summary>
    public Imaging.Affine? DisplayVoxelToWorld { get; init; }

    /// <summary>Volume of one voxel in ml (pixel² × slice spacing).</summary>
    public double VoxelVolumeMl => PixelSpacingMm * PixelSpacingMm * SliceSpacingMm / 1000.0;

    /// <summary>All intensities, x-fastest [X, Y, Z, T].</summary>
    public ReadOnlySpan<float> Image => _image;

    /// <summary>The image array itself, for writers that wrap it without a copy; callers must not modify it.</summary>
    internal float[] ImageArray => _image;

    /// <summary>All labels (every frame), x-fastest [X, Y, Z, T].</summary>
    public ReadOnlySpan<byte> Labels => _labels;

    /// <summary>The image of one slice at one frame, row-major [y, x].</summary>
    public ReadOnlySpan<float> ImageSlice(int slice, int frame) => _image.AsSpan(SliceOffset(slice, frame), SizeX * SizeY);

    /// <summary>The labels of one slice at one frame, row-major [y, x].</summary>
    public ReadOnlySpan<byte> LabelSlice(int slice, int frame) => _labels.AsSpan(SliceOffset(slice, frame), SizeX * SizeY);

    /// <summary>Volume in ml of <paramref name="label"/> at <paramref name="frame"/> (voxel count × voxel volume).</summary>
    public double LabelVolumeMl(byte label, int frame)
    {
        ReadOnlySpan<byte> frameLabels = _labels.AsSpan(SliceOffset(0, frame), SizeX * SizeY * SliceCount);
        return frameLabels.Count(label) * VoxelVolumeMl;
    }

    private int SliceOffset(int slice, int frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slice);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slice, SliceCount);
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frame, FrameCount);
        return ((frame * SliceCount) + slice) * SizeX * SizeY;
    }
}
