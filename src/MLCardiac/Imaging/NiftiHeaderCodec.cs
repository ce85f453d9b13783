using System.Buffers.Binary;
using System.Text;

namespace MLCardiac.Imaging;

/// <summary>Binary layout of NIfTI-1 (348 bytes) and NIfTI-2 (540 bytes) headers: parsing and serialising.</summary>
internal static class NiftiHeaderCodec
{
    public const int Nifti1HeaderSize = 348;
    public const int Nifti2HeaderSize = 540;

    private static ReadOnlySpan<byte> Nifti1Magic => "n+1\0"u8;
    private static ReadOnlySpan<byte> Nifti1PairMagic => "ni1\0"u8;
    private static ReadOnlySpan<byte> Nifti2Magic => "n+2\0\r\n\u001a\n"u8;
    private static ReadOnlySpan<byte> Nifti2PairMagic => "ni2\0\r\n\u001a\n"u8;

    /// <summary>From the first 4 bytes (sizeof_hdr): header version and byte order.</summary>
    public static (NiftiVersion Version, bool BigEndian) DetectVersion(ReadOnlySpan<byte> first4, string name)
    {
        int le = BinaryPrimitives.ReadInt32LittleEndian(first4);
        int be = BinaryPrimitives.ReadInt32BigEndian(first4);
        return (le, be) switch
        {
            (Nifti1HeaderSize, _) => (NiftiVersion.Nifti1, false),
            (Nifti2HeaderSize, _) => (NiftiVersion.Nifti2, false),
            (_, Nifti1HeaderSize) => (NiftiVersion.Nifti1, true),
            (_, Nifti2HeaderSize) => (NiftiVersion.Nifti2, true),
            _ => throw NiftiFormatException.For(name,
                $"not a NIfTI file: sizeof_hdr is {le} (or {be} big-endian), expected 348 (NIfTI-1) or 540 (NIfTI-2)"),
        };
    }

    /// <summary>Parses a complete header (348 or 540 bytes) and checks its magic.</summary>
    public static NiftiHeader Parse(ReadOnlySpan<byte> h, NiftiVersion version, bool bigEndian, string name)
    {
        var r = new FieldReader(h, bigEndian);
        if (version == NiftiVersion.Nifti1)
        {
            ReadOnlySpan<byte> magic = h.Slice(344, 4);
            CheckMagic(magic, Nifti1Magic, Nifti1PairMagic, name, "n+1");
            var dim = new long[8];
            var pixdim = new double[8];
            for (int i = 0; i < 8; i++)
            {
                dim[i] = r.Int16(40 + (2 * i));
                pixdim[i] = r.Single(76 + (4 * i));
            }

            var srows = new double[12];
            for (int i = 0; i < 12; i++)
            {
                srows[i] = r.Single(280 + (4 * i));
            }

            return new NiftiHeader
            {
                Version = version,
                IsBigEndian = bigEndian,
                Dim = dim,
                DataTypeCode = r.Int16(70),
                BitsPerVoxel = r.Int16(72),
                PixDim = pixdim,
                VoxOffset = VoxOffsetFromSingle(r.Single(108), name),
                SclSlope = r.Single(112),
                SclInter = r.Single(116),
                XyztUnits = h[123],
                CalMax = r.Single(124),
                CalMin = r.Single(128),
                SliceDuration = r.Single(132),
                TOffset = r.Single(136),
                Description = Text(h.Slice(148, 80)),
                AuxFile = Text(h.Slice(228, 24)),
                QformCode = r.Int16(252),
                SformCode = r.Int16(254),
                Quaternion = (r.Single(256), r.Single(260), r.Single(264)),
                QOffset = (r.Single(268), r.Single(272), r.Single(276)),
                SRows = srows,
                IntentCode = r.Int16(68),
                IntentName = Text(h.Slice(328, 16)),
                DimInfo = h[39],
            };
        }
        else
        {
            CheckMagic(h.Slice(4, 8), Nifti2Magic, Nifti2PairMagic, name, "n+2");
            var dim = new long[8];
            var pixdim = new double[8];
            for (int i = 0; i < 8; i++)
            {
                dim[i] = r.Int64(16 + (8 * i));
                pixdim[i] = r.Double(104 + (8 * i));
            }

            var srows = new double[12];
            for (int i = 0; i < 12; i++)
            {
                srows[i] = r.Double(400 + (8 * i));
            }

            return new NiftiHeader
            {
                Version = version,
                IsBigEndian = bigEndian,
                Dim = dim,
                DataTypeCode = r.Int16(12),
                BitsPerVoxel = r.Int16(14),
                PixDim = pixdim,
                VoxOffset = r.Int64(168),
                SclSlope = r.Double(176),
                SclInter = r.Double(184),
                CalMax = r.Double(192),
                CalMin = r.Double(200),
                SliceDuration = r.Double(208),
                TOffset = r.Double(216),
                Description = Text(h.Slice(240, 80)),
                AuxFile = Text(h.Slice(320, 24)),
                QformCode = r.Int32(344),
                SformCode = r.Int32(348),
                Quaternion = (r.Double(352), r.Double(360), r.Double(368)),
                QOffset = (r.Double(376), r.Double(384), r.Double(392)),
                SRows = srows,
                XyztUnits = r.Int32(500),
                IntentCode = r.Int32(504),
                IntentName = Text(h.Slice(508, 16)),
                DimInfo = h[524],
            };
        }
    }

    /// <summary>Serialises <paramref name="hdr"/> little-endian into <paramref name="dest"/> (348 or 540 bytes, zeroed first).</summary>
    public static void Write(NiftiHeader hdr, Span<byte> dest)
    {
        dest.Clear();
        if (hdr.Version == NiftiVersion.Nifti1)
        {
            BinaryPrimitives.WriteInt32LittleEndian(dest, Nifti1HeaderSize);
            dest[38] = (byte)'r'; // "regular", as nibabel and FSL write it
            dest[39] = (byte)hdr.DimInfo;
            for (int i = 0; i < 8; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(dest[(40 + (2 * i))..], checked((short)hdr.Dim[i]));
                BinaryPrimitives.WriteSingleLittleEndian(dest[(76 + (4 * i))..], (float)hdr.PixDim[i]);
            }

            BinaryPrimitives.WriteInt16LittleEndian(dest[68..], checked((short)hdr.IntentCode));
            BinaryPrimitives.WriteInt16LittleEndian(dest[70..], checked((short)hdr.DataTypeCode));
            BinaryPrimitives.WriteInt16LittleEndian(dest[72..], checked((short)hdr.BitsPerVoxel));
            BinaryPrimitives.WriteSingleLittleEndian(dest[108..], hdr.VoxOffset);
            BinaryPrimitives.WriteSingleLittleEndian(dest[112..], (float)hdr.SclSlope);
            BinaryPrimitives.WriteSingleLittleEndian(dest[116..], (float)hdr.SclInter);
            dest[123] = (byte)hdr.XyztUnits;
            BinaryPrimitives.WriteSingleLittleEndian(dest[124..], (float)hdr.CalMax);
            BinaryPrimitives.WriteSingleLittleEndian(dest[128..], (float)hdr.CalMin);
            BinaryPrimitives.WriteSingleLittleEndian(dest[132..], (float)hdr.SliceDuration);
            BinaryPrimitives.WriteSingleLittleEndian(dest[136..], (float)hdr.TOffset);
            WriteText(hdr.Description, dest.Slice(148, 80));
            WriteText(hdr.AuxFile, dest.Slice(228, 24));
            BinaryPrimitives.WriteInt16LittleEndian(dest[252..], checked((short)hdr.QformCode));
            BinaryPrimitives.WriteInt16LittleEndian(dest[254..], checked((short)hdr.SformCode));
            BinaryPrimitives.WriteSingleLittleEndian(dest[256..], (float)hdr.Quaternion.B);
            BinaryPrimitives.WriteSingleLittleEndian(dest[260..], (float)hdr.Quaternion.C);
            BinaryPrimitives.WriteSingleLittleEndian(dest[264..], (float)hdr.Quaternion.D);
            BinaryPrimitives.WriteSingleLittleEndian(dest[268..], (float)hdr.QOffset.X);
            BinaryPrimitives.WriteSingleLittleEndian(dest[272..], (float)hdr.QOffset.Y);
            BinaryPrimitives.WriteSingleLittleEndian(dest[276..], (float)hdr.QOffset.Z);
            for (int i = 0; i < 12; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(dest[(280 + (4 * i))..], (float)hdr.SRows[i]);
            }

            WriteText(hdr.IntentName, dest.Slice(328, 16));
            Nifti1Magic.CopyTo(dest[344..]);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(dest, Nifti2HeaderSize);
            Nifti2Magic.CopyTo(dest[4..]);
            BinaryPrimitives.WriteInt16LittleEndian(dest[12..], checked((short)hdr.DataTypeCode));
            BinaryPrimitives.WriteInt16LittleEndian(dest[14..], checked((short)hdr.BitsPerVoxel));
            for (int i = 0; i < 8; i++)
            {
                BinaryPrimitives.WriteInt64LittleEndian(dest[(16 + (8 * i))..], hdr.Dim[i]);
                BinaryPrimitives.WriteDoubleLittleEndian(dest[(104 + (8 * i))..], hdr.PixDim[i]);
            }

            BinaryPrimitives.WriteInt64LittleEndian(dest[168..], hdr.VoxOffset);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[176..], hdr.SclSlope);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[184..], hdr.SclInter);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[192..], hdr.CalMax);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[200..], hdr.CalMin);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[208..], hdr.SliceDuration);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[216..], hdr.TOffset);
            WriteText(hdr.Description, dest.Slice(240, 80));
            WriteText(hdr.AuxFile, dest.Slice(320, 24));
            BinaryPrimitives.WriteInt32LittleEndian(dest[344..], hdr.QformCode);
            BinaryPrimitives.WriteInt32LittleEndian(dest[348..], hdr.SformCode);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[352..], hdr.Quaternion.B);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[360..], hdr.Quaternion.C);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[368..], hdr.Quaternion.D);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[376..], hdr.QOffset.X);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[384..], hdr.QOffset.Y);
            BinaryPrimitives.WriteDoubleLittleEndian(dest[392..], hdr.QOffset.Z);
            for (int i = 0; i < 12; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(dest[(400 + (8 * i))..], hdr.SRows[i]);
            }

            BinaryPrimitives.WriteInt32LittleEndian(dest[500..], hdr.XyztUnits);
            BinaryPrimitives.WriteInt32LittleEndian(dest[504..], hdr.IntentCode);
            WriteText(hdr.IntentName, dest.Slice(508, 16));
            dest[524] = (byte)hdr.DimInfo;
        }
    }

    private static void CheckMagic(ReadOnlySpan<byte> magic, ReadOnlySpan<byte> single, ReadOnlySpan<byte> pair, string name, string expected)
    {
        if (magic.SequenceEqual(single))
        {
            return;
        }

        if (magic.SequenceEqual(pair))
        {
            throw NiftiFormatException.For(name, "a NIfTI header for a separate .img file (.hdr/.img pair); only single-file .nii/.nii.gz is supported");
        }

        string shown = Convert.ToHexString(magic);
        throw NiftiFormatException.For(name, $"wrong magic 0x{shown}, expected \"{expected}\" (single-file NIfTI)");
    }

    private static long VoxOffsetFromSingle(float value, string name)
    {
        if (!float.IsFinite(value) || value < 0 || value > 1e12f || value != MathF.Floor(value))
        {
            throw NiftiFormatException.For(name, $"vox_offset {value} is not a byte offset (a whole, non-negative number)");
        }

        return (long)value;
    }

    private static string Text(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        ReadOnlySpan<byte> bytes = end >= 0 ? field[..end] : field;
        return Encoding.Latin1.GetString(bytes);
    }

    private static void WriteText(string text, Span<byte> field)
    {
        // Latin-1, one byte per character, always NUL-terminated within the field.
        int count = Math.Min(text.Length, field.Length - 1);
        for (int i = 0; i < count; i++)
        {
            char c = text[i];
            field[i] = c <= '\u00ff' ? (byte)c : (byte)'?';
        }
    }

    /// <summary>Reads numbers in the file's byte order.</summary>
    private readonly ref struct FieldReader(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        private readonly ReadOnlySpan<byte> _b = bytes;

        public short Int16(int offset) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(_b[offset..]) : BinaryPrimitives.ReadInt16LittleEndian(_b[offset..]);

        public int Int32(int offset) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(_b[offset..]) : BinaryPrimitives.ReadInt32LittleEndian(_b[offset..]);

        public long Int64(int offset) => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(_b[offset..]) : BinaryPrimitives.ReadInt64LittleEndian(_b[offset..]);

        public float Single(int offset) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(_b[offset..]) : BinaryPrimitives.ReadSingleLittleEndian(_b[offset..]);

        public double Double(int offset) => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(_b[offset..]) : BinaryPrimitives.ReadDoubleLittleEndian(_b[offset..]);
    }
}
