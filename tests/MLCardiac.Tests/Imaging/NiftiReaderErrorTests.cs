using System.Buffers.Binary;
using System.IO.Compression;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Imaging;

/// <summary>Bad input gives <see cref="NiftiFormatException"/> naming the file and the reason — never a crash, an OOM or a hang.</summary>
[TestClass]
public sealed class NiftiReaderErrorTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateFolder() => _dir = TestFiles.NewTempDirectory("nifti-errors");

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Read_TruncatedVoxelData_ThrowsTruncated(bool gzip)
    {
        byte[] bytes = ValidNifti1();
        AssertRejected(bytes[..(bytes.Length - 100)], gzip, "truncated");
    }

    [TestMethod]
    public void Read_TruncatedGzipStream_ThrowsNiftiFormatException()
    {
        byte[] gz = Gzip(ValidNifti1());
        string path = Save("cut.nii.gz", gz[..(gz.Length / 2)]);

        var ex = Assert.ThrowsExactly<NiftiFormatException>(() => NiftiReader.Read(path));

        StringAssert.Contains(ex.Message, "cut.nii.gz");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(200)]
    public void Read_TruncatedHeader_ThrowsTruncated(int length) =>
        AssertRejected(ValidNifti1()[..length], false, "truncated");

    [TestMethod]
    public void Read_WrongMagic_ThrowsWrongMagic()
    {
        byte[] bytes = ValidNifti1();
        "XYZ\0"u8.CopyTo(bytes.AsSpan(344));
        AssertRejected(bytes, true, "magic");
    }

    [TestMethod]
    public void Read_PairMagic_ThrowsNotSupported()
    {
        byte[] bytes = ValidNifti1();
        "ni1\0"u8.CopyTo(bytes.AsSpan(344));
        AssertRejected(bytes, false, ".hdr/.img");
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(349)]
    [DataRow(-348)]
    public void Read_BadSizeofHdr_ThrowsSizeofHdr(int value)
    {
        byte[] bytes = ValidNifti1();
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        AssertRejected(bytes, false, "sizeof_hdr");
    }

    [TestMethod]
    [DataRow(0, 0, "dim[0]")]
    [DataRow(0, 8, "dim[0]")]
    [DataRow(0, -1, "dim[0]")]
    [DataRow(2, 0, "dim[2]")]
    [DataRow(2, -3, "dim[2]")]
    [DataRow(5, 2, "dim[5]")]
    public void Read_BadDims_ThrowsNamingTheDim(int index, int value, string expected)
    {
        byte[] bytes = ValidNifti1();
        if (index == 5)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(40), 5);
        }

        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(40 + (2 * index)), (short)value);
        AssertRejected(bytes, false, expected);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Read_DimsLargerThanData_ThrowsTruncated(bool gzip)
    {
        byte[] bytes = ValidNifti1();
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(42), 3000);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44), 3000);
        AssertRejected(bytes, gzip, gzip ? "cannot hold" : "truncated");
    }

    [TestMethod]
    public void Read_DimsOverVoxelLimit_ThrowsBeforeAllocating()
    {
        byte[] bytes = ValidNifti1();
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(40), 4);
        for (int i = 1; i <= 4; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(40 + (2 * i)), short.MaxValue);
        }

        string path = Save("huge.nii", bytes);

        var ex = Assert.ThrowsExactly<NiftiFormatException>(() => NiftiReader.Read(path));

        StringAssert.Contains(ex.Message, "huge.nii");
        StringAssert.Contains(ex.Message, "MaxVoxelCount");
    }

    [TestMethod]
    [DataRow((short)32, "complex64")]
    [DataRow((short)128, "RGB24")]
    [DataRow((short)1280, "uint64")]
    [DataRow((short)7, "datatype 7")]
    public void Read_UnsupportedDatatype_ThrowsUnsupported(short code, string expected)
    {
        byte[] bytes = ValidNifti1();
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(70), code);
        AssertRejected(bytes, false, expected);
    }

    [TestMethod]
    [DataRow(float.PositiveInfinity, 0f, "scl_slope")]
    [DataRow(float.NegativeInfinity, 0f, "scl_slope")]
    [DataRow(2f, float.NaN, "scl_inter")]
    [DataRow(2f, float.PositiveInfinity, "scl_inter")]
    public void Read_NonFiniteScaling_ThrowsNonFinite(float slope, float inter, string expected)
    {
        byte[] bytes = ValidNifti1();
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(112), slope);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(116), inter);
        AssertRejected(bytes, false, expected);
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(0f)]
    public void Read_SlopeNaNOrZero_MeansNoScaling(float slope)
    {
        byte[] bytes = ValidNifti1();
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(112), slope);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(116), 1000f);

        Volume volume = NiftiReader.Read(Save("noscale.nii", bytes));

        TestFiles.AssertSameValues(TestFiles.Ramp(4 * 3 * 2), volume.Voxels, "unscaled");
    }

    [TestMethod]
    [DataRow(0f)]
    [DataRow(100f)]
    [DataRow(347f)]
    public void Read_VoxOffsetInsideHeader_ThrowsVoxOffset(float offset)
    {
        byte[] bytes = ValidNifti1();
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(108), offset);
        AssertRejected(bytes, false, "vox_offset");
    }

    [TestMethod]
    public void Read_GzipBombOverLimit_ThrowsBeforeDecompressing()
    {
        // A valid header declaring 1000 × 1000 × 100 uint8 (100 MB) followed by 100 MB of zeros, gzip-compressed (~100 kB).
        byte[] header = ValidNifti1()[..352];
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(40), 3);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(42), 1000);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(44), 1000);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(46), 100);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(70), (short)NiftiDataType.UInt8);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(72), 8);
        string path = Path.Combine(_dir, "bomb.nii.gz");
        using (FileStream file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        {
            gz.Write(header);
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 100; i++)
            {
                gz.Write(zeros);
            }
        }

        var ex = Assert.ThrowsExactly<NiftiFormatException>(() =>
            NiftiReader.Read(path, new NiftiReadOptions { MaxDecompressedBytes = 1 << 20 }));

        StringAssert.Contains(ex.Message, "bomb.nii.gz");
        StringAssert.Contains(ex.Message, "exceeds the limit");
    }

    [TestMethod]
    public void Read_GzipWithHugeTrailingData_ReadsOnlyWhatTheHeaderNeeds()
    {
        // A small valid image followed by 64 MB of zeros inside the same gzip stream: the reader stops after the voxels.
        byte[] image = ValidNifti1();
        string path = Path.Combine(_dir, "trailing.nii.gz");
        using (FileStream file = File.Create(path))
        using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        {
            gz.Write(image);
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++)
            {
                gz.Write(zeros);
            }
        }

        Volume volume = NiftiReader.Read(path, new NiftiReadOptions { MaxDecompressedBytes = 4096 });

        TestFiles.AssertSameValues(TestFiles.Ramp(24), volume.Voxels, "trailing");
    }

    [TestMethod]
    public void Read_TinyGzipClaimingLargeImage_ThrowsTruncatedBeforeAllocating()
    {
        byte[] bytes = ValidNifti1();
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(42), 20000);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44), 20000);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(46), 1);
        AssertRejected(bytes, true, "cannot hold");
    }

    [TestMethod]
    public void Read_CorruptGzip_ThrowsNiftiFormatException()
    {
        byte[] gz = Gzip(ValidNifti1());
        for (int i = 20; i < gz.Length - 8; i++)
        {
            gz[i] ^= 0x5a;
        }

        string path = Save("corrupt.nii.gz", gz);
        var ex = Assert.ThrowsExactly<NiftiFormatException>(() => NiftiReader.Read(path));
        StringAssert.Contains(ex.Message, "corrupt.nii.gz");
    }

    [TestMethod]
    public void Read_MissingFile_ThrowsFileNotFound() =>
        Assert.ThrowsExactly<FileNotFoundException>(() => NiftiReader.Read(Path.Combine(_dir, "absent.nii.gz")));

    [TestMethod]
    public void Read_RandomCorruptions_NeverThrowAnythingButNiftiFormatException()
    {
        byte[] valid = ValidNifti1();
        var random = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] bytes = (byte[])valid.Clone();
            for (int k = 0; k < 4; k++)
            {
                bytes[random.Next(0, 352)] = (byte)random.Next(256);
            }

            try
            {
                NiftiReader.Read(new MemoryStream(bytes), "fuzz.nii");
            }
            catch (NiftiFormatException ex)
            {
                StringAssert.Contains(ex.Message, "fuzz.nii");
            }
        }
    }

    /// <summary>A valid little-endian NIfTI-1 image: 4 × 3 × 2 int16, values <see cref="TestFiles.Ramp"/>.</summary>
    private static byte[] ValidNifti1()
    {
        var volume = new Volume(TestFiles.Ramp(24), [4, 3, 2], new Spacing(1, 1, 1));
        using var stream = new MemoryStream();
        NiftiWriter.Write(volume, stream, new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
        return stream.ToArray();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(bytes);
        }

        return output.ToArray();
    }

    private string Save(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private void AssertRejected(byte[] bytes, bool gzip, string reason)
    {
        string name = gzip ? "bad-case.nii.gz" : "bad-case.nii";
        string path = Save(name, gzip ? Gzip(bytes) : bytes);

        var ex = Assert.ThrowsExactly<NiftiFormatException>(() => NiftiReader.Read(path));

        StringAssert.Contains(ex.Message, name);
        StringAssert.Contains(ex.Message, reason);
    }
}
