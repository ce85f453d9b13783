using System.Diagnostics.CodeAnalysis;

namespace MLCardiac.Imaging;

/// <summary>
/// A 3D or 4D (cine) image: float32 voxels with x fastest, then y, z (slice) and t (frame) — NIfTI order, so one frame
/// and one slice are contiguous — plus spacing in mm, the time step in s and the voxel-to-world affine (mm, RAS+).
/// </summary>
/// <remarks>
/// Voxel values are intensities after the file's scl_slope/scl_inter. <see cref="Frame"/> and <see cref="Slice"/> are
/// views on <see cref="Data"/>: writing through them changes the volume.
/// </remarks>
public sealed class Volume
{
    private readonly float[] _data;

    /// <summary>Creates a volume that owns <paramref name="data"/> (not copied).</summary>
    /// <param name="data">Voxels, x fastest, then y, z, t; length = product of <paramref name="shape"/>.</param>
    /// <param name="shape">[X, Y, Z] or [X, Y, Z, T]; every size ≥ 1.</param>
    /// <param name="spacingMm">Voxel spacing in mm (positive, finite).</param>
    /// <param name="voxelToWorld">Voxel index → world mm (RAS+); <c>null</c> gives the axis-aligned scaling by <paramref name="spacingMm"/>.</param>
    /// <param name="timeStepS">Time between frames in seconds; 0 when unknown or not a cine.</param>
    /// <param name="sourceDataType">Storage type the voxels came from (float32 for computed volumes).</param>
    public Volume(float[] data, ReadOnlySpan<int> shape, Spacing spacingMm, Affine? voxelToWorld = null, double timeStepS = 0,
        NiftiDataType sourceDataType = NiftiDataType.Float32)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (shape.Length is < 3 or > 4)
        {
            throw new ArgumentException($"A volume shape has 3 or 4 entries ([X, Y, Z] or [X, Y, Z, T]), got {shape.Length}.", nameof(shape));
        }

        long count = 1;
        foreach (int s in shape)
        {
            if (s < 1)
            {
                throw new ArgumentException($"Every size in the shape must be at least 1, got [{string.Join(", ", shape.ToArray())}].", nameof(shape));
            }

            count = checked(count * s);
        }

        if (count != data.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] needs {count} voxels but data holds {data.Length}.", nameof(data));
        }

        if (!IsPositiveFinite(spacingMm.X) || !IsPositiveFinite(spacingMm.Y) || !IsPositiveFinite(spacingMm.Z))
        {
            throw new ArgumentOutOfRangeException(nameof(spacingMm), spacingMm, "Spacing must be positive and finite (mm).");
        }

        if (!double.IsFinite(timeStepS) || timeStepS < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeStepS), timeStepS, "The time step must be finite and ≥ 0 (s).");
        }

        _data = data;
        SizeX = shape[0];
        SizeY = shape[1];
        SizeZ = shape[2];
        Frames = shape.Length == 4 ? shape[3] : 1;
        SpacingMm = spacingMm;
        VoxelToWorld = voxelToWorld ?? Affine.FromSpacing(spacingMm);
        TimeStepS = timeStepS;
        SourceDataType = sourceDataType;
    }

    /// <summary>Voxels along x (the fastest axis).</summary>
    public int SizeX { get; }

    /// <summary>Voxels along y.</summary>
    public int SizeY { get; }

    /// <summary>Slices (voxels along z).</summary>
    public int SizeZ { get; }

    /// <summary>Frames (time points); 1 for a 3D volume.</summary>
    public int Frames { get; }

    /// <summary>[X, Y, Z] for one frame, [X, Y, Z, T] when there are several frames (a fresh array each call).</summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Shared API shape; returns a copy.")]
    public int[] Shape => Frames > 1 ? [SizeX, SizeY, SizeZ, Frames] : [SizeX, SizeY, SizeZ];

    /// <summary>Voxels in one slice (X·Y).</summary>
    public int VoxelsPerSlice => SizeX * SizeY;

    /// <summary>Voxels in one frame (X·Y·Z).</summary>
    public int VoxelsPerFrame => SizeX * SizeY * SizeZ;

    /// <summary>Voxel spacing in mm.</summary>
    public Spacing SpacingMm { get; }

    /// <summary>Time between frames in seconds (NIfTI pixdim[4] converted by xyzt_units); 0 when absent.</summary>
    public double TimeStepS { get; }

    /// <summary>Voxel index (x, y, z) → world coordinates in mm, RAS+.</summary>
    public Affine VoxelToWorld { get; }

    /// <summary>Storage type of the file the voxels were read from (float32 for computed volumes).</summary>
    public NiftiDataType SourceDataType { get; }

    /// <summary>Axis codes of the voxel axes ("RAS", "LPS", …) as nibabel's <c>aff2axcodes</c> gives them.</summary>
    public string Orientation => VoxelToWorld.AxisCodes();

    /// <summary>All voxels (the backing array, not a copy).</summary>
    [SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Zero-copy access to the voxels is the point.")]
    public float[] Data => _data;

    /// <summary>All voxels as a span over the backing array.</summary>
    public Span<float> Voxels => _data;

    /// <summary>Voxel (x, y, z) of frame t, read or written.</summary>
    public float this[int x, int y, int z, int t = 0]
    {
        get => _data[Index(x, y, z, t)];
        set => _data[Index(x, y, z, t)] = value;
    }

    /// <summary>Voxel (x, y, z) of frame t.</summary>
    public float At(int x, int y, int z, int t = 0) => _data[Index(x, y, z, t)];

    /// <summary>Frame <paramref name="t"/> as a view (no copy).</summary>
    public Memory<float> Frame(int t)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)t, (uint)Frames, nameof(t));
        return _data.AsMemory(t * VoxelsPerFrame, VoxelsPerFrame);
    }

    /// <summary>Slice <paramref name="z"/> of frame <paramref name="t"/> as a view (no copy), x fastest.</summary>
    public Memory<float> Slice(int z, int t = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)z, (uint)SizeZ, nameof(z));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)t, (uint)Frames, nameof(t));
        return _data.AsMemory((t * VoxelsPerFrame) + (z * VoxelsPerSlice), VoxelsPerSlice);
    }

    /// <summary>
    /// The volume with its voxel axes reordered and flipped so that they run as close as possible to R, A, S
    /// (nibabel's <c>as_closest_canonical</c>), with the affine updated so every voxel keeps its world position.
    /// Returns this instance when it is already canonical.
    /// </summary>
    public Volume ToCanonical()
    {
        OrientationMath.AxisMap[] map = OrientationMath.IoOrientation(VoxelToWorld);
        if (map[0] == new OrientationMath.AxisMap(0, 1) && map[1] == new OrientationMath.AxisMap(1, 1) && map[2] == new OrientationMath.AxisMap(2, 1))
        {
            return this;
        }

        int[] oldSize = [SizeX, SizeY, SizeZ];
        int[] oldStride = [1, SizeX, SizeX * SizeY];
        double[] oldSpacing = [SpacingMm.X, SpacingMm.Y, SpacingMm.Z];
        var newSize = new int[3];
        var newSpacing = new double[3];
        var step = new long[3];
        long start = 0;

        // newIndex → oldIndex: old_i = sign_i > 0 ? new[w_i] : size_i - 1 - new[w_i]; M maps new voxel → old voxel.
        var m = new double[16];
        m[15] = 1;
        for (int i = 0; i < 3; i++)
        {
            int w = map[i].WorldAxis;
            newSize[w] = oldSize[i];
            newSpacing[w] = oldSpacing[i];
            step[w] = map[i].Sign * (long)oldStride[i];
            if (map[i].Sign < 0)
            {
                start += (long)(oldSize[i] - 1) * oldStride[i];
                m[(i * 4) + 3] = oldSize[i] - 1;
            }

            m[(i * 4) + w] = map[i].Sign;
        }

        var data = new float[_data.Length];
        int frameLength = VoxelsPerFrame;
        for (int t = 0; t < Frames; t++)
        {
            ReadOnlySpan<float> src = _data.AsSpan(t * frameLength, frameLength);
            Span<float> dst = data.AsSpan(t * frameLength, frameLength);
            int o = 0;
            for (int z = 0; z < newSize[2]; z++)
            {
                for (int y = 0; y < newSize[1]; y++)
                {
                    long p = start + (z * step[2]) + (y * step[1]);
                    if (step[0] == 1)
                    {
                        src.Slice((int)p, newSize[0]).CopyTo(dst.Slice(o, newSize[0]));
                        o += newSize[0];
                    }
                    else
                    {
                        for (int x = 0; x < newSize[0]; x++, p += step[0])
                        {
                            dst[o++] = src[(int)p];
                        }
                    }
                }
            }
        }

        Affine affine = VoxelToWorld.Multiply(Affine.FromOwnedArray(m));
        int[] shape = Frames > 1 ? [newSize[0], newSize[1], newSize[2], Frames] : newSize;
        return new Volume(data, shape, new Spacing(newSpacing[0], newSpacing[1], newSpacing[2]), affine, TimeStepS, SourceDataType);
    }

    private int Index(int x, int y, int z, int t)
    {
        if ((uint)x >= (uint)SizeX || (uint)y >= (uint)SizeY || (uint)z >= (uint)SizeZ || (uint)t >= (uint)Frames)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"Voxel ({x}, {y}, {z}, {t}) is outside shape [{SizeX}, {SizeY}, {SizeZ}, {Frames}].");
        }

        return x + (SizeX * (y + (SizeY * (z + (SizeZ * t)))));
    }

    private static bool IsPositiveFinite(double v) => double.IsFinite(v) && v > 0;
}
