using System.Buffers.Binary;
using System.IO.Compression;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Server;

/// <summary>Hostile uploads built without holding what they declare: tiny .nii.gz files whose headers claim huge images.</summary>
internal static class AttackFiles
{
    /// <summary>
    /// A .nii.gz (NIfTI-1, int16) whose header declares <paramref name="dims"/> (x, y, z[, t]) and whose voxels are all
    /// present and zero: it compresses about 1000:1, so 2²⁶ voxels take ~130 KB. Dimensions may be 0 or negative.
    /// </summary>
    public static byte[] DeclaringVoxels(params int[] dims)
    {
        // The header of a 1-voxel image, then its dim[] patched (NIfTI-1: dim[0..7] as int16 at byte 40).
        byte[] header;
        using (var plain = new MemoryStream())
        {
            NiftiWriter.Write(new Volume([0f], [1, 1, 1], new Spacing(1.25, 1.25, 8)), plain, new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
            header = plain.ToArray()[..352];
        }
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(40), (short)dims.Length);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(42 + 2 * i), (short)dims[i]);
        long voxels = dims.All(d => d > 0) ? dims.Aggregate(1L, (a, d) => a * d) : 1;
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(header);
            var zeros = new byte[1 << 20];
            for (long left = voxels * 2; left > 0; left -= zeros.Length) gz.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
        }
        return memory.ToArray();
    }
}
