using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace MLCardiac.Imaging;

/// <summary>
/// Reads single-file NIfTI-1 and NIfTI-2 images (.nii, or gzip-compressed .nii.gz, told apart by the gzip magic bytes,
/// not the name) into a <see cref="Volume"/>: 3D or 4D, uint8/int8/int16/uint16/int32/uint32/int64/float32/float64,
/// either byte order, scl_slope/scl_inter applied.
/// </summary>
/// <remarks>
/// <para>The affine follows nibabel's <c>img.affine</c>: the sform when sform_code ≠ 0, else the qform when qform_code ≠ 0,
/// else nibabel's pixdim-only fallback (x flipped, centred on the volume). Spatial units in xyzt_units (m, mm, µm) are
/// converted to mm and temporal ones (s, ms, µs) to s.</para>
/// <para>Safety: sizes are computed in checked 64-bit arithmetic, checked against <see cref="NiftiReadOptions"/> and the
/// file length before anything is allocated, and gzip data is read through a bounded copy that stops at the bytes the
/// header needs. Every problem with the input raises <see cref="NiftiFormatException"/> naming the file.</para>
/// </remarks>
public static class NiftiReader
{
    /// <summary>Bytes decoded per step (a pooled buffer of this size is reused for the conversion).</summary>
    private const int ChunkBytes = 256 * 1024;

    /// <summary>Deflate cannot expand data by more than ~1032:1; with a margin this bounds what a gzip file can hold.</summary>
    private const long MaxDeflateRatio = 1100;

    /// <summary>Reads the image at <paramref name="path"/>.</summary>
    /// <exception cref="NiftiFormatException">The file is not a readable NIfTI image (the message says why).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public static Volume Read(string path, NiftiReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream file = OpenFile(path);
        return Read(file, path, options);
    }

    /// <summary>Reads an image from <paramref name="stream"/> (left open); <paramref name="name"/> names it in error messages.</summary>
    /// <exception cref="NiftiFormatException">The data is not a readable NIfTI image (the message says why).</exception>
    public static Volume Read(Stream stream, string name, NiftiReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(name);
        options = Validate(options);
        try
        {
            using Stream source = OpenSource(stream, name, out bool gzip, out long? storedBytes);
            NiftiHeader header = ReadHeaderCore(source, name);
            var layout = VoxelLayout.From(header, name, options, gzip, storedBytes);
            Skip(source, header.VoxOffset - header.HeaderSizeBytes, name);
            // Every element is overwritten below (or the read fails): skip zeroing the large array.
            float[] data = GC.AllocateUninitializedArray<float>((int)layout.VoxelCount);
            ReadVoxels(source, data, layout, header, name);
            return new Volume(data, layout.Shape, layout.SpacingMm, layout.VoxelToWorld, layout.TimeStepS, layout.DataType);
        }
        catch (InvalidDataException ex)
        {
            throw NiftiFormatException.For(name, $"corrupt gzip data ({ex.Message})");
        }
    }

    /// <summary>Reads only the header of the image at <paramref name="path"/>, free-text fields included.</summary>
    public static NiftiHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream file = OpenFile(path);
        return ReadHeader(file, path);
    }

    /// <summary>Reads only the header from <paramref name="stream"/> (left open), free-text fields included.</summary>
    public static NiftiHeader ReadHeader(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            using Stream source = OpenSource(stream, name, out _, out _);
            return ReadHeaderCore(source, name);
        }
        catch (InvalidDataException ex)
        {
            throw NiftiFormatException.For(name, $"corrupt gzip data ({ex.Message})");
        }
    }

    /// <summary>
    /// The shape (X, Y, Z and frames when 4D) and spacing of the image at <paramref name="path"/> exactly as
    /// <see cref="Read(string, NiftiReadOptions?)"/> would give them, from its header alone (no voxel is read).
    /// </summary>
    /// <exception cref="NiftiFormatException">The header is not readable.</exception>
    internal static (int[] Shape, Spacing SpacingMm) ReadGeometry(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream file = OpenFile(path);
        try
        {
            using Stream source = OpenSource(file, path, out bool gzip, out long? storedBytes);
            NiftiHeader header = ReadHeaderCore(source, path);
            var layout = VoxelLayout.From(header, path, NiftiReadOptions.Default, gzip, storedBytes);
            return (layout.Shape, layout.SpacingMm);
        }
        catch (InvalidDataException ex)
        {
            throw NiftiFormatException.For(path, $"corrupt gzip data ({ex.Message})");
        }
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);

    private static NiftiReadOptions Validate(NiftiReadOptions? options)
    {
        options ??= NiftiReadOptions.Default;
        if (options.MaxDecompressedBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDecompressedBytes, "MaxDecompressedBytes must be at least 1.");
        }

        if (options.MaxVoxelCount < 1 || options.MaxVoxelCount > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxVoxelCount, $"MaxVoxelCount must be in 1..{Array.MaxLength}.");
        }

        return options;
    }

    /// <summary>Sniffs the gzip magic; returns a stream over the (decompressed) NIfTI bytes that does not close <paramref name="stream"/>.</summary>
    private static Stream OpenSource(Stream stream, string name, out bool gzip, out long? storedBytes)
    {
        storedBytes = stream.CanSeek ? stream.Length - stream.Position : null;
        var magic = new byte[2];
        int got = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        if (got < 2)
        {
            throw NiftiFormatException.For(name, $"truncated: the file holds {got} byte(s), a NIfTI header needs {NiftiHeaderCodec.Nifti1HeaderSize}");
        }

        Stream raw;
        if (stream.CanSeek)
        {
            stream.Seek(-2, SeekOrigin.Current);
            raw = new PrefixedStream([], 0, stream);
        }
        else
        {
            raw = new PrefixedStream(magic, 2, stream);
        }

        gzip = magic[0] == 0x1f && magic[1] == 0x8b;
        return gzip ? new GZipStream(raw, CompressionMode.Decompress, leaveOpen: false) : raw;
    }

    private static NiftiHeader ReadHeaderCore(Stream source, string name)
    {
        var bytes = new byte[NiftiHeaderCodec.Nifti2HeaderSize];
        int got = source.ReadAtLeast(bytes.AsSpan(0, 4), 4, throwOnEndOfStream: false);
        if (got < 4)
        {
            throw NiftiFormatException.For(name, $"truncated: {got} byte(s) of data, a NIfTI header needs {NiftiHeaderCodec.Nifti1HeaderSize}");
        }

        (NiftiVersion version, bool bigEndian) = NiftiHeaderCodec.DetectVersion(bytes, name);
        int size = version == NiftiVersion.Nifti1 ? NiftiHeaderCodec.Nifti1HeaderSize : NiftiHeaderCodec.Nifti2HeaderSize;
        got += source.ReadAtLeast(bytes.AsSpan(4, size - 4), size - 4, throwOnEndOfStream: false);
        if (got < size)
        {
            throw NiftiFormatException.For(name, $"truncated: the header is cut off after {got} of {size} bytes");
        }

        return NiftiHeaderCodec.Parse(bytes.AsSpan(0, size), version, bigEndian, name);
    }

    private static void Skip(Stream source, long count, string name)
    {
        if (count <= 0)
        {
            return;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, ChunkBytes));
        try
        {
            long left = count;
            while (left > 0)
            {
                int want = (int)Math.Min(left, buffer.Length);
                int got = source.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: false);
                if (got < want)
                {
                    throw NiftiFormatException.For(name, "truncated: the file ends before vox_offset, where the voxel data should start");
                }

                left -= got;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ReadVoxels(Stream source, float[] data, VoxelLayout layout, NiftiHeader header, string name)
    {
        NiftiDataType type = layout.DataType;
        int elementSize = VoxelConversion.SizeOf(type);
        bool swap = header.IsBigEndian == BitConverter.IsLittleEndian;
        int perChunk = ChunkBytes / elementSize;
        long total = data.LongLength;

        // float32: read straight into the result, then swap/scale in place while the chunk is in cache.
        byte[]? buffer = type == NiftiDataType.Float32 ? null : ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (long done = 0; done < total;)
            {
                int n = (int)Math.Min(perChunk, total - done);
                Span<float> dst = data.AsSpan((int)done, n);
                Span<byte> bytes = buffer is null ? MemoryMarshal.AsBytes(dst) : buffer.AsSpan(0, n * elementSize);
                int got = source.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                if (got < bytes.Length)
                {
                    long have = (done * elementSize) + got;
                    throw NiftiFormatException.For(name,
                        $"truncated: the dimensions {layout.ShapeText} × {elementSize} byte(s) need {total * elementSize} bytes of voxel data, the file holds {have}");
                }

                if (swap)
                {
                    VoxelConversion.SwapInPlace(bytes, elementSize);
                }

                if (buffer is null)
                {
                    if (layout.Scale)
                    {
                        VoxelConversion.ScaleInPlace(dst, (float)layout.Slope, (float)layout.Intercept);
                    }
                }
                else
                {
                    VoxelConversion.ToFloat(bytes, dst, type, layout.Scale, layout.Slope, layout.Intercept);
                }

                done += n;
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
