using System.IO.Compression;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Imaging;

/// <summary>NiftiWriter → NiftiReader: what we write we read back unchanged, for every datatype and layout.</summary>
[TestClass]
public sealed class NiftiRoundTripTests
{
    private static readonly Affine Oblique = new([0.0, -1.2, 0.3, 40.5, 1.1, 0.1, 0.0, -20.25, 0.2, 0.0, -7.5, 12.0, 0, 0, 0, 1]);
    private string _dir = "";

    [TestInitialize]
    public void CreateFolder() => _dir = TestFiles.NewTempDirectory("nifti-roundtrip");

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    [DataRow(NiftiDataType.UInt8, ".nii.gz")]
    [DataRow(NiftiDataType.Int8, ".nii")]
    [DataRow(NiftiDataType.Int16, ".nii.gz")]
    [DataRow(NiftiDataType.UInt16, ".nii")]
    [DataRow(NiftiDataType.Int32, ".nii.gz")]
    [DataRow(NiftiDataType.UInt32, ".nii")]
    [DataRow(NiftiDataType.Int64, ".nii.gz")]
    [DataRow(NiftiDataType.Float32, ".nii")]
    [DataRow(NiftiDataType.Float64, ".nii.gz")]
    public void WriteThenRead_EveryDataType_SameVolume(NiftiDataType type, string extension)
    {
        bool unsigned = type is NiftiDataType.UInt8 or NiftiDataType.UInt16 or NiftiDataType.UInt32;
        bool floating = type is NiftiDataType.Float32 or NiftiDataType.Float64;
        float[] data = TestFiles.Ramp(7 * 6 * 5 * 3, floating ? 0.731f : 1f, unsigned ? 0f : -50f);
        var volume = new Volume(data, [7, 6, 5, 3], new Spacing(1.1180340051651, 1.2041594982147217, 7.505997657775879), Oblique, 0.04);
        string path = Path.Combine(_dir, "v" + extension);

        NiftiWriter.Write(volume, path, new NiftiWriteOptions { DataType = type });
        Volume back = NiftiReader.Read(path);

        TestFiles.AssertSameValues(data, back.Voxels, type.ToString());
        CollectionAssert.AreEqual(volume.Shape, back.Shape);
        Assert.AreEqual(type, back.SourceDataType);
        Assert.AreEqual(volume.SpacingMm.X, back.SpacingMm.X, 1e-6);
        Assert.AreEqual(volume.SpacingMm.Z, back.SpacingMm.Z, 1e-6);
        Assert.AreEqual(0.04, back.TimeStepS, 1e-7);
        Assert.IsTrue(volume.VoxelToWorld.ApproximatelyEquals(back.VoxelToWorld, 1e-5), back.VoxelToWorld.ToString());
    }

    [TestMethod]
    public void Write_Nifti2Option_ReadsBackAsNifti2()
    {
        var volume = new Volume(TestFiles.Ramp(60, 0.5f), [5, 4, 3], new Spacing(1, 2, 3));
        string path = Path.Combine(_dir, "v2.nii.gz");

        NiftiWriter.Write(volume, path, new NiftiWriteOptions { Version = NiftiVersion.Nifti2 });

        Assert.AreEqual(NiftiVersion.Nifti2, NiftiReader.ReadHeader(path).Version);
        TestFiles.AssertSameValues(volume.Data, NiftiReader.Read(path).Voxels, "nifti2");
    }

    [TestMethod]
    public void Write_DimensionOver32767_WritesNifti2()
    {
        var volume = new Volume(TestFiles.Ramp(40000), [40000, 1, 1], new Spacing(1, 1, 1));
        string path = Path.Combine(_dir, "long.nii");

        NiftiWriter.Write(volume, path);

        Assert.AreEqual(NiftiVersion.Nifti2, NiftiReader.ReadHeader(path).Version);
        CollectionAssert.AreEqual(new[] { 40000, 1, 1 }, NiftiReader.Read(path).Shape);
    }

    [TestMethod]
    public void Read_NonSeekableGzipStream_SameAsFile()
    {
        var volume = new Volume(TestFiles.Ramp(6 * 5 * 4, 2f), [6, 5, 4], new Spacing(1, 1, 2), Oblique);
        string path = Path.Combine(_dir, "s.nii.gz");
        NiftiWriter.Write(volume, path, new NiftiWriteOptions { DataType = NiftiDataType.Int16 });

        using var stream = new NonSeekableStream(File.OpenRead(path));
        Volume back = NiftiReader.Read(stream, "s.nii.gz");

        TestFiles.AssertSameValues(volume.Data, back.Voxels, "stream");
    }

    [TestMethod]
    public void Read_MultiMemberGzip_ReadsEveryMember()
    {
        var volume = new Volume(TestFiles.Ramp(16 * 16 * 8, 1f), [16, 16, 8], new Spacing(1, 1, 1));
        using var plain = new MemoryStream();
        NiftiWriter.Write(volume, plain, new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
        byte[] bytes = plain.ToArray();
        string path = Path.Combine(_dir, "multi.nii.gz");
        using (FileStream file = File.Create(path))
        {
            foreach (Range part in new[] { 0..500, 500..2000, 2000..bytes.Length })
            {
                using var gz = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
                gz.Write(bytes.AsSpan()[part]);
            }
        }

        TestFiles.AssertSameValues(volume.Data, NiftiReader.Read(path).Voxels, "multi-member");
    }

    [TestMethod]
    public void Read_GzipDetectedByMagicNotName_ReadsBoth()
    {
        var volume = new Volume(TestFiles.Ramp(60), [5, 4, 3], new Spacing(1, 1, 1));
        string gz = Path.Combine(_dir, "a.nii.gz");
        string plain = Path.Combine(_dir, "b.nii");
        NiftiWriter.Write(volume, gz);
        NiftiWriter.Write(volume, plain);
        string gzNamedPlain = Path.Combine(_dir, "gz-inside.nii");
        string plainNamedGz = Path.Combine(_dir, "plain-inside.nii.gz");
        File.Move(gz, gzNamedPlain);
        File.Move(plain, plainNamedGz);

        TestFiles.AssertSameValues(volume.Data, NiftiReader.Read(gzNamedPlain).Voxels, "gzip named .nii");
        TestFiles.AssertSameValues(volume.Data, NiftiReader.Read(plainNamedGz).Voxels, "plain named .nii.gz");
    }

    /// <summary>A read-only wrapper that hides seeking (like a network stream).</summary>
    private sealed class NonSeekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
