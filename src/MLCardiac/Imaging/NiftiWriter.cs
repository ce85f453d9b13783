using MLCardiac.IO;
using System.Buffers;
using System.IO.Compression;

namespace MLCardiac.Imaging;

/// <summary>
/// Writes a <see cref="Volume"/> as a single-file NIfTI image: .nii, or .nii.gz (gzip) when the name ends in ".gz".
/// The affine goes into both the sform and the qform (its closest rotation, as nibabel's <c>set_qform</c>), the spacing
/// into pixdim, units are mm and s. The write is atomic: a temporary file in the same folder, renamed over the target
/// when complete; on failure no partial file is left and an existing file is untouched.
/// </summary>
public static class NiftiWriter
{
    private const int ChunkVoxels = 64 * 1024;

    /// <summary>Writes <paramref name="volume"/> to <paramref name="path"/> (".nii" or ".nii.gz").</summary>
    /// <exception cref="MLCardiacException">The name has another extension, or a voxel does not fit the chosen integer type.</exception>
    public static void Write(Volume volume, string path, NiftiWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= NiftiWriteOptions.Default;
        bool gzip = path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);
        if (!gzip && !path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase))
        {
            throw new MLCardiacException($"{path}: a NIfTI file name must end in .nii or .nii.gz");
        }

        AtomicFile.Write(path, file =>
        {
            if (gzip)
            {
                using var gz = new GZipStream(file, options.CompressionLevel, leaveOpen: true);
                Write(volume, gz, options, path);
            }
            else
            {
                Write(volume, file, options, path);
            }
        });
    }

    /// <summary>Writes <paramref name="volume"/> uncompressed to <paramref name="stream"/> (left open); <paramref name="name"/> names it in messages.</summary>
    public static void Write(Volume volume, Stream stream, NiftiWriteOptions? options = null, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(stream);
        options ??= NiftiWriteOptions.Default;
        NiftiHeader header = BuildHeader(volume, options);
        var headerBytes = new byte[header.VoxOffset];
        NiftiHeaderCodec.Write(header, headerBytes); // extension flag bytes after the header stay 0: no extensions
        stream.Write(headerBytes);

        int elementSize = VoxelConversion.SizeOf(options.DataType);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkVoxels * elementSize);
        float[]? scaled = options.ScaleSlope != 1 ? ArrayPool<float>.Shared.Rent(ChunkVoxels) : null;
        try
        {
            ReadOnlySpan<float> voxels = volume.Voxels;
            for (int start = 0; start < voxels.Length; start += ChunkVoxels)
            {
                int n = Math.Min(ChunkVoxels, voxels.Length - start);
                Span<byte> bytes = buffer.AsSpan(0, n * elementSize);
                ReadOnlySpan<float> chunk = voxels.Slice(start, n);
                if (scaled is not null)
                {
                    float inverse = (float)(1 / options.ScaleSlope);
                    for (int i = 0; i < n; i++) scaled[i] = chunk[i] * inverse;
                    chunk = scaled.AsSpan(0, n);
                }
                int bad = VoxelConversion.FromFloat(chunk, bytes, options.DataType);
                if (bad >= 0)
                {
                    throw new MLCardiacException(
                        $"{name}: voxel {start + bad} has value {voxels[start + bad]}, which cannot be stored as {options.DataType}");
                }

                if (!BitConverter.IsLittleEndian)
                {
                    VoxelConversion.SwapInPlace(bytes, elementSize);
                }

                stream.Write(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (scaled is not null) ArrayPool<float>.Shared.Return(scaled);
        }
    }

    /// <summary>The header <see cref="Write(Volume, string, NiftiWriteOptions?)"/> writes for <paramref name="volume"/>.</summary>
    internal static NiftiHeader BuildHeader(Volume volume, NiftiWriteOptions options)
    {
        if (!Enum.IsDefined(options.DataType))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DataType, "Unsupported NIfTI datatype.");
        }

        if (!(options.ScaleSlope > 0) || double.IsInfinity(options.ScaleSlope))
        {
            throw new ArgumentException("The NIfTI scale slope must be a positive finite number.", nameof(options));
        }

        if (options.Description.Length > 79)
        {
            throw new ArgumentException("The NIfTI description holds at most 79 characters.", nameof(options));
        }

        int[] shape = volume.Shape;
        bool large = Array.Exists(shape, s => s > short.MaxValue);
        NiftiVersion version = options.Version ?? (large ? NiftiVersion.Nifti2 : NiftiVersion.Nifti1);
        if (version == NiftiVersion.Nifti1 && large)
        {
            throw new MLCardiacException($"shape [{string.Join(", ", shape)}] has a dimension over 32767, which only NIfTI-2 can store");
        }

        var dim = new long[8];
        dim[0] = shape.Length;
        for (int i = 0; i < 7; i++)
        {
            dim[i + 1] = i < shape.Length ? shape[i] : 1;
        }

        // qform: the affine's closest rotation with qfac = sign of its determinant (nibabel's set_qform).
        Affine a = volume.VoxelToWorld;
        var rotation = new double[3, 3];
        for (int c = 0; c < 3; c++)
        {
            double norm = a.ColumnNorm(c);
            for (int r = 0; r < 3; r++)
            {
                rotation[r, c] = norm == 0 ? (r == c ? 1 : 0) : a[r, c] / norm;
            }
        }

        double qfac = 1;
        if (OrientationMath.Determinant(rotation) < 0)
        {
            qfac = -1;
            for (int r = 0; r < 3; r++)
            {
                rotation[r, 2] = -rotation[r, 2];
            }
        }

        (double _, double qb, double qc, double qd) = OrientationMath.MatrixToQuaternion(OrientationMath.ClosestOrthogonal(rotation));
        Spacing sp = volume.SpacingMm;
        var srows = new double[12];
        for (int i = 0; i < 12; i++)
        {
            srows[i] = a[i / 4, i % 4];
        }

        int elementSize = VoxelConversion.SizeOf(options.DataType);
        return new NiftiHeader
        {
            Version = version,
            Dim = dim,
            DataTypeCode = (int)options.DataType,
            BitsPerVoxel = elementSize * 8,
            PixDim = [qfac, sp.X, sp.Y, sp.Z, shape.Length == 4 ? volume.TimeStepS : 0, 0, 0, 0],
            VoxOffset = version == NiftiVersion.Nifti1 ? 352 : 544,
            SclSlope = options.ScaleSlope,
            SclInter = 0,
            XyztUnits = 2 | 8, // mm, s
            QformCode = (int)options.QformCode,
            SformCode = (int)options.SformCode,
            Quaternion = (qb, qc, qd),
            QOffset = (a[0, 3], a[1, 3], a[2, 3]),
            SRows = srows,
            Description = options.Description,
        };
    }
}
