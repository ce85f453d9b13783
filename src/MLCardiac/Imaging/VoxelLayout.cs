namespace MLCardiac.Imaging;

/// <summary>What a validated header says about the voxels: shape, storage, scaling and geometry.</summary>
internal sealed class VoxelLayout
{
    private VoxelLayout(int[] shape, long voxelCount, NiftiDataType dataType)
    {
        Shape = shape;
        VoxelCount = voxelCount;
        DataType = dataType;
    }

    public int[] Shape { get; }

    public long VoxelCount { get; }

    public NiftiDataType DataType { get; }

    public bool Scale { get; private init; }

    public double Slope { get; private init; } = 1;

    public double Intercept { get; private init; }

    public Spacing SpacingMm { get; private init; }

    public double TimeStepS { get; private init; }

    public Affine VoxelToWorld { get; private init; } = Affine.Identity;

    public string ShapeText => $"[{string.Join(", ", Shape)}]";

    /// <summary>Checks <paramref name="h"/> and derives the layout; throws <see cref="NiftiFormatException"/> on anything unusable.</summary>
    public static VoxelLayout From(NiftiHeader h, string name, NiftiReadOptions options, bool gzip, long? storedBytes)
    {
        long rank = h.Dim[0];
        if (rank is < 1 or > 7)
        {
            throw NiftiFormatException.For(name, $"dim[0] = {rank}: the number of dimensions must be 1..7");
        }

        var sizes = new long[] { 1, 1, 1, 1 };
        long count = 1;
        for (int i = 1; i <= rank; i++)
        {
            long d = h.Dim[i];
            if (d < 1)
            {
                throw NiftiFormatException.For(name, $"dim[{i}] = {d}: every dimension must be at least 1");
            }

            if (i > 4 && d != 1)
            {
                throw NiftiFormatException.For(name, $"dim[{i}] = {d}: images with more than 4 dimensions (vector/tensor data) are not supported");
            }

            if (d > int.MaxValue)
            {
                throw NiftiFormatException.For(name, $"dim[{i}] = {d} is larger than any image MLCardiac can hold");
            }

            count = checked(count * d); // count ≤ MaxVoxelCount < 2^31 before, d < 2^31: no overflow possible
            if (count > options.MaxVoxelCount)
            {
                throw NiftiFormatException.For(name,
                    $"the dimensions declare more than {options.MaxVoxelCount} voxels (NiftiReadOptions.MaxVoxelCount)");
            }

            if (i <= 4)
            {
                sizes[i - 1] = d;
            }
        }

        if (!Enum.IsDefined(typeof(NiftiDataType), h.DataTypeCode))
        {
            throw NiftiFormatException.For(name, $"unsupported datatype {h.DataTypeCode} ({DataTypeName(h.DataTypeCode)}); supported: uint8, int8, int16, uint16, int32, uint32, int64, float32, float64");
        }

        var type = (NiftiDataType)h.DataTypeCode;
        int elementSize = VoxelConversion.SizeOf(type);
        long headerSize = h.HeaderSizeBytes;
        if (h.VoxOffset < headerSize)
        {
            throw NiftiFormatException.For(name, $"vox_offset {h.VoxOffset} lies inside the {headerSize}-byte header");
        }

        long dataBytes = count * elementSize;
        long needed = checked(h.VoxOffset + dataBytes);
        string sizeText = $"[{string.Join(", ", h.Dim.Skip(1).Take((int)rank))}] × {elementSize} byte(s)";
        if (gzip)
        {
            if (needed > options.MaxDecompressedBytes)
            {
                throw NiftiFormatException.For(name,
                    $"decompressed size {needed} bytes ({sizeText} after vox_offset {h.VoxOffset}) exceeds the limit of {options.MaxDecompressedBytes} bytes (NiftiReadOptions.MaxDecompressedBytes)");
            }

            if (storedBytes is long compressed && needed > (compressed * 1100) + 65536)
            {
                throw NiftiFormatException.For(name,
                    $"truncated: {compressed} compressed bytes cannot hold the {needed} bytes the dimensions {sizeText} need");
            }
        }
        else if (storedBytes is long stored && stored < needed)
        {
            throw NiftiFormatException.For(name,
                $"truncated: the dimensions {sizeText} need {needed} bytes (vox_offset {h.VoxOffset} + {dataBytes} of voxels), the file holds {stored}");
        }

        (bool scale, double slope, double inter) = Scaling(h, name);
        (double spaceFactor, double timeFactor) = UnitFactors(h.XyztUnits);

        double Zoom(int i)
        {
            double p = h.PixDim[i];
            if (!double.IsFinite(p))
            {
                throw NiftiFormatException.For(name, $"pixdim[{i}] = {p} is not finite");
            }

            p = Math.Abs(p);
            return p == 0 ? 1 : p;
        }

        var spacing = new Spacing(Zoom(1) * spaceFactor, Zoom(2) * spaceFactor, Zoom(3) * spaceFactor);
        double timeStep = 0;
        if (rank >= 4 && double.IsFinite(h.PixDim[4]) && timeFactor > 0)
        {
            timeStep = Math.Abs(h.PixDim[4]) * timeFactor;
        }

        int[] shape = sizes[3] > 1
            ? [(int)sizes[0], (int)sizes[1], (int)sizes[2], (int)sizes[3]]
            : [(int)sizes[0], (int)sizes[1], (int)sizes[2]];
        return new VoxelLayout(shape, count, type)
        {
            Scale = scale,
            Slope = slope,
            Intercept = inter,
            SpacingMm = spacing,
            TimeStepS = timeStep,
            VoxelToWorld = BestAffine(h, name, rank, spaceFactor),
        };
    }

    /// <summary>scl_slope 0 or NaN means "no scaling" (NIfTI standard); other non-finite values are refused.</summary>
    private static (bool Scale, double Slope, double Intercept) Scaling(NiftiHeader h, string name)
    {
        double slope = h.SclSlope, inter = h.SclInter;
        if (slope == 0 || double.IsNaN(slope))
        {
            return (false, 1, 0);
        }

        if (!double.IsFinite(slope))
        {
            throw NiftiFormatException.For(name, $"non-finite scaling: scl_slope = {slope}");
        }

        if (!double.IsFinite(inter))
        {
            throw NiftiFormatException.For(name, $"non-finite scaling: scl_inter = {inter} with scl_slope = {slope}");
        }

        return (!(slope == 1 && inter == 0), slope, inter);
    }

    /// <summary>Spatial unit → mm factor (unknown taken as mm) and temporal unit → s factor (unknown taken as s; Hz/ppm/rad give 0).</summary>
    private static (double Space, double Time) UnitFactors(int xyztUnits)
    {
        double space = (xyztUnits & 0x07) switch
        {
            1 => 1000.0,
            3 => 0.001,
            _ => 1.0,
        };
        double time = (xyztUnits & 0x38) switch
        {
            0 or 8 => 1.0,
            16 => 1e-3,
            24 => 1e-6,
            _ => 0.0,
        };
        return (space, time);
    }

    private static Affine BestAffine(NiftiHeader h, string name, long rank, double spaceFactor)
    {
        var m = new double[16];
        m[15] = 1;
        if (h.SformCode != 0)
        {
            for (int i = 0; i < 12; i++)
            {
                m[i] = h.SRows[i];
            }
        }
        else if (h.QformCode != 0)
        {
            (double b, double c, double d) = h.Quaternion;
            double w2 = 1.0 - ((b * b) + (c * c) + (d * d));
            // nibabel's threshold for float32 headers: -3 × float32 machine epsilon.
            if (!double.IsFinite(w2) || w2 < -3 * 1.1920928955078125e-7)
            {
                throw NiftiFormatException.For(name, $"invalid qform quaternion ({b}, {c}, {d}): b² + c² + d² exceeds 1");
            }

            double a = w2 < 0 ? 0 : Math.Sqrt(w2);
            double[,] r = OrientationMath.QuaternionToMatrix(a, b, c, d);
            double qfac = h.PixDim[0] == -1 ? -1 : 1;
            double[] zoom = [Math.Abs(h.PixDim[1]), Math.Abs(h.PixDim[2]), Math.Abs(h.PixDim[3]) * qfac];
            for (int row = 0; row < 3; row++)
            {
                for (int col = 0; col < 3; col++)
                {
                    m[(row * 4) + col] = r[row, col] * zoom[col];
                }
            }

            m[3] = h.QOffset.X;
            m[7] = h.QOffset.Y;
            m[11] = h.QOffset.Z;
        }
        else
        {
            // nibabel's get_base_affine: diag(zooms) with x flipped, centred on the volume.
            for (int i = 0; i < 3; i++)
            {
                double size = i < rank ? h.Dim[i + 1] : 1;
                double zoom = i < rank ? Math.Abs(h.PixDim[i + 1]) : 1;
                if (i == 0)
                {
                    zoom = -zoom;
                }

                m[(i * 4) + i] = zoom;
                m[(i * 4) + 3] = -(size - 1) / 2.0 * zoom;
            }
        }

        if (spaceFactor != 1)
        {
            for (int i = 0; i < 12; i++)
            {
                m[i] *= spaceFactor;
            }
        }

        foreach (double v in m)
        {
            if (!double.IsFinite(v))
            {
                throw NiftiFormatException.For(name, "the voxel-to-world transform (sform/qform/pixdim) has non-finite values");
            }
        }

        return Affine.FromOwnedArray(m);
    }

    private static string DataTypeName(int code) => code switch
    {
        0 => "unknown",
        1 => "binary",
        32 => "complex64",
        128 => "RGB24",
        255 => "all",
        1280 => "uint64",
        1536 => "float128",
        1792 => "complex128",
        2048 => "complex256",
        2304 => "RGBA32",
        _ => "not a NIfTI datatype",
    };
}
