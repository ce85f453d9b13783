using System.Text;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Imaging;

/// <summary>NiftiWriter's own promises: atomic writes, no free text by default, refusing values that do not fit.</summary>
[TestClass]
public sealed class NiftiWriterTests
{
    private string _dir = "";

    [TestInitialize]
    public void CreateFolder() => _dir = TestFiles.NewTempDirectory("nifti-writer");

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void Write_Success_LeavesOnlyTheTargetFile()
    {
        NiftiWriter.Write(new Volume(TestFiles.Ramp(60), [5, 4, 3], new Spacing(1, 1, 1)), Path.Combine(_dir, "ok.nii.gz"));

        CollectionAssert.AreEqual(new[] { "ok.nii.gz" }, Directory.GetFiles(_dir).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    [DataRow(".nii")]
    [DataRow(".nii.gz")]
    public void Write_ValueDoesNotFit_ThrowsAndLeavesExistingFileUntouched(string extension)
    {
        string path = Path.Combine(_dir, "labels" + extension);
        NiftiWriter.Write(new Volume(TestFiles.Ramp(60), [5, 4, 3], new Spacing(1, 1, 1)), path, new NiftiWriteOptions { DataType = NiftiDataType.UInt8 });
        byte[] before = File.ReadAllBytes(path);
        float[] data = TestFiles.Ramp(60);
        data[59] = 300f;

        var ex = Assert.ThrowsExactly<MLCardiacException>(() =>
            NiftiWriter.Write(new Volume(data, [5, 4, 3], new Spacing(1, 1, 1)), path, new NiftiWriteOptions { DataType = NiftiDataType.UInt8 }));

        StringAssert.Contains(ex.Message, "300");
        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { "labels" + extension }, Directory.GetFiles(_dir).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void Write_NaNAsInteger_Throws()
    {
        float[] data = TestFiles.Ramp(60);
        data[3] = float.NaN;

        Assert.ThrowsExactly<MLCardiacException>(() =>
            NiftiWriter.Write(new Volume(data, [5, 4, 3], new Spacing(1, 1, 1)), Path.Combine(_dir, "nan.nii"), new NiftiWriteOptions { DataType = NiftiDataType.Int16 }));
        Assert.IsEmpty(Directory.GetFiles(_dir));
    }

    [TestMethod]
    public void Write_IntegerType_RoundsToNearestEven()
    {
        float[] data = [0.5f, 1.5f, 2.4f, -2.6f, 3.5f, -0.5f];
        string path = Path.Combine(_dir, "round.nii");

        NiftiWriter.Write(new Volume(data, [6, 1, 1], new Spacing(1, 1, 1)), path, new NiftiWriteOptions { DataType = NiftiDataType.Int16 });

        CollectionAssert.AreEqual(new[] { 0f, 2f, 2f, -3f, 4f, -0f }, NiftiReader.Read(path).Data);
    }

    [TestMethod]
    public void Write_OtherExtension_Throws() =>
        Assert.ThrowsExactly<MLCardiacException>(() =>
            NiftiWriter.Write(new Volume(TestFiles.Ramp(60), [5, 4, 3], new Spacing(1, 1, 1)), Path.Combine(_dir, "x.img")));

    [TestMethod]
    public void ReadThenWrite_FreeTextInSource_NotCopied()
    {
        string source = Path.Combine(_dir, "source.nii");
        NiftiWriter.Write(new Volume(TestFiles.Ramp(60), [5, 4, 3], new Spacing(1, 1, 1)), source, new NiftiWriteOptions { Description = "Jane Roe 1970-01-01" });
        Assert.AreEqual("Jane Roe 1970-01-01", NiftiReader.ReadHeader(source).Description, "the raw header keeps the free text");

        string copy = Path.Combine(_dir, "copy.nii");
        NiftiWriter.Write(NiftiReader.Read(source), copy);

        Assert.AreEqual(string.Empty, NiftiReader.ReadHeader(copy).Description);
        Assert.AreEqual(-1, Encoding.Latin1.GetString(File.ReadAllBytes(copy)).IndexOf("Jane", StringComparison.Ordinal));
    }

    [TestMethod]
    public void Write_LeftHandedAffine_QformAndSformAgree()
    {
        var lps = new Affine([-0.75, 0, 0, 90, 0, -0.75, 0, 100, 0, 0, 6, -40, 0, 0, 0, 1]);
        var volume = new Volume(TestFiles.Ramp(60), [5, 4, 3], new Spacing(0.75, 0.75, 6), lps);
        string path = Path.Combine(_dir, "lps.nii");
        NiftiWriter.Write(volume, path, new NiftiWriteOptions { SformCode = NiftiXformCode.Unknown });

        Volume back = NiftiReader.Read(path); // sform_code 0: the reader must use the qform

        Assert.AreEqual(1, NiftiReader.ReadHeader(path).QformCode);
        Assert.IsTrue(lps.ApproximatelyEquals(back.VoxelToWorld, 1e-5), back.VoxelToWorld.ToString());
        Assert.AreEqual("LPS", back.Orientation);
    }
}
