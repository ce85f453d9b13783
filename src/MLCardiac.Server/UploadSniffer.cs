using System.Buffers.Binary;
using System.IO.Compression;

namespace MLCardiac.Server;

/// <summary>
/// Decides from the first bytes — never from the file name — whether an upload can be a NIfTI image: gzip
/// (1f 8b) whose decompressed start is a NIfTI header, or a NIfTI-1 (sizeof_hdr 348) or NIfTI-2 (540) header
/// in either byte order.
/// </summary>
public static class UploadSniffer
{
    /// <summary>What the bytes look like.</summary>
    public enum Kind
    {
        /// <summary>An uncompressed NIfTI header.</summary>
        Nifti,
        /// <summary>gzip whose content starts with a NIfTI header.</summary>
        GzipNifti,
    }

    /// <summary>
    /// Checks the start of <paramref name="upload"/> (read from its current position, which moves); throws <see cref="ApiException"/> 415 when
    /// it is not NIfTI or gzip, 400 when it is too short or the gzip stream is cut off before a header.
    /// </summary>
    public static Kind Check(Stream upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        Span<byte> data = stackalloc byte[4];
        int length = upload.ReadAtLeast(data, 4, throwOnEndOfStream: false);
        if (length < 4)
            throw new ApiException(400, "Truncated upload", $"the upload holds {length} byte(s); a NIfTI header needs at least 348.");
        if (data[0] == 0x1f && data[1] == 0x8b)
        {
            Span<byte> head = stackalloc byte[4];
            int got;
            try
            {
                upload.Seek(-4, SeekOrigin.Current);
                using var gz = new GZipStream(upload, CompressionMode.Decompress, leaveOpen: true);
                got = gz.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            }
            catch (InvalidDataException e)
            {
                throw new ApiException(400, "Corrupt gzip", $"the upload starts like gzip but cannot be decompressed ({e.Message}).");
            }
            if (got < 4)
                throw new ApiException(400, "Truncated gzip", "the upload is gzip but ends before a NIfTI header.");
            if (!IsNiftiSize(head))
                throw new ApiException(415, "Not a NIfTI image", "the upload is gzip, but its content is not a NIfTI-1/2 image (sizeof_hdr is neither 348 nor 540).");
            return Kind.GzipNifti;
        }
        if (IsNiftiSize(data))
            return Kind.Nifti;
        throw new ApiException(415, "Not a NIfTI image",
            "the upload is neither gzip nor a NIfTI-1/2 header (its first four bytes are not 1f 8b, nor sizeof_hdr 348 or 540); send a .nii or .nii.gz file.");
    }

    private static bool IsNiftiSize(ReadOnlySpan<byte> head)
    {
        int le = BinaryPrimitives.ReadInt32LittleEndian(head), be = BinaryPrimitives.ReadInt32BigEndian(head);
        return le is 348 or 540 || be is 348 or 540;
    }
}
