using System.Text.Json;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Imaging;

/// <summary>
/// NiftiReader against nibabel: fixtures written by nibabel (every datatype, scaling, 4D cine, qform/sform/neither,
/// big-endian, NIfTI-2, .nii and .nii.gz, multi-member gzip) must read to nibabel's own float32 values and geometry.
/// </summary>
[TestClass]
public sealed class NiftiReaderNibabelTests
{
    private static string? s_dir;
    private static string? s_skipReason;
    private static JsonElement s_manifest;

    [ClassInitialize]
    public static void MakeFixtures(TestContext context)
    {
        _ = context;
        string? python = NibabelPython.TryGetInterpreter(out string reason);
        if (python is null)
        {
            s_skipReason = reason;
            return;
        }

        s_dir = TestFiles.NewTempDirectory("nibabel-fixtures");
        NibabelPython.RunScript(python, "make_nibabel_fixtures.py", [s_dir], TimeSpan.FromSeconds(120));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_dir, "manifest.json")));
        s_manifest = doc.RootElement.Clone();
    }

    [ClassCleanup]
    public static void DeleteFixtures()
    {
        if (s_dir is not null && Directory.Exists(s_dir))
        {
            Directory.Delete(s_dir, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("dtype_uint8")]
    [DataRow("dtype_uint8_raw")]
    [DataRow("dtype_int8")]
    [DataRow("dtype_int8_raw")]
    [DataRow("dtype_int16")]
    [DataRow("dtype_int16_raw")]
    [DataRow("dtype_uint16")]
    [DataRow("dtype_uint16_raw")]
    [DataRow("dtype_int32")]
    [DataRow("dtype_int32_raw")]
    [DataRow("dtype_uint32")]
    [DataRow("dtype_uint32_raw")]
    [DataRow("dtype_int64")]
    [DataRow("dtype_int64_raw")]
    [DataRow("dtype_float32")]
    [DataRow("dtype_float32_raw")]
    [DataRow("dtype_float64")]
    [DataRow("dtype_float64_raw")]
    [DataRow("scaled_int16")]
    [DataRow("scaled_uint8")]
    [DataRow("scaled_int32")]
    [DataRow("manual_scale")]
    [DataRow("cine_ms")]
    [DataRow("cine_s")]
    [DataRow("qform_only")]
    [DataRow("sform_only")]
    [DataRow("no_xform")]
    [DataRow("qform_qfac_neg")]
    [DataRow("bigendian_int16")]
    [DataRow("bigendian_float32")]
    [DataRow("bigendian_float64")]
    [DataRow("bigendian_uint16")]
    [DataRow("nifti2_bigendian")]
    [DataRow("nifti2_float")]
    [DataRow("nifti2_cine")]
    [DataRow("nifti2_scaled")]
    [DataRow("multimember")]
    public void Read_NibabelFixture_MatchesNibabel(string name)
    {
        JsonElement entry = Entry(name);
        Volume volume = NiftiReader.Read(Path.Combine(s_dir!, entry.GetProperty("file").GetString()!));

        TestFiles.AssertSameValues(TestFiles.ReadFloat32(Path.Combine(s_dir!, name + ".f32")), volume.Voxels, name);
        int[] shape = entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        CollectionAssert.AreEqual(shape, volume.Shape, $"{name}: shape");
        TestFiles.AssertAffine(Rows(entry.GetProperty("affine")), volume.VoxelToWorld, 1e-5, name);

        double[] zooms = entry.GetProperty("zooms").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.AreEqual(zooms[0], volume.SpacingMm.X, 1e-6, $"{name}: spacing x");
        Assert.AreEqual(zooms[1], volume.SpacingMm.Y, 1e-6, $"{name}: spacing y");
        Assert.AreEqual(zooms[2], volume.SpacingMm.Z, 1e-6, $"{name}: spacing z");
        if (shape.Length == 4)
        {
            string timeUnit = entry.GetProperty("xyzt_units")[1].GetString()!;
            double factor = timeUnit switch { "msec" => 1e-3, "usec" => 1e-6, _ => 1.0 };
            Assert.AreEqual(zooms[3] * factor, volume.TimeStepS, 1e-9, $"{name}: time step");
        }
        else
        {
            Assert.AreEqual(0.0, volume.TimeStepS, $"{name}: a 3D image has no time step");
        }

        Assert.AreEqual(entry.GetProperty("axcodes").GetString(), volume.Orientation, $"{name}: orientation");
        Assert.AreEqual(entry.GetProperty("dtype").GetString()!.TrimStart('<', '>', '|', '='), ShortDtype(volume.SourceDataType), $"{name}: datatype");
    }

    [TestMethod]
    [DataRow("canon_lps")]
    [DataRow("canon_transposed")]
    [DataRow("canon_oblique")]
    public void ToCanonical_NibabelFixture_MatchesAsClosestCanonical(string name)
    {
        JsonElement entry = Entry(name);
        Volume canonical = NiftiReader.Read(Path.Combine(s_dir!, entry.GetProperty("file").GetString()!)).ToCanonical();

        TestFiles.AssertSameValues(TestFiles.ReadFloat32(Path.Combine(s_dir!, name + ".canon.f32")), canonical.Voxels, name);
        CollectionAssert.AreEqual(entry.GetProperty("canon_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), canonical.Shape, $"{name}: shape");
        TestFiles.AssertAffine(Rows(entry.GetProperty("canon_affine")), canonical.VoxelToWorld, 1e-5, name);
        Assert.AreEqual(entry.GetProperty("canon_axcodes").GetString(), canonical.Orientation);
        Assert.AreEqual("RAS", canonical.Orientation);
    }

    [TestMethod]
    public void Read_BigEndianFixture_IsReallyBigEndian()
    {
        JsonElement entry = Entry("bigendian_int16");
        NiftiHeader header = NiftiReader.ReadHeader(Path.Combine(s_dir!, entry.GetProperty("file").GetString()!));
        Assert.IsTrue(header.IsBigEndian);
        Assert.AreEqual(NiftiVersion.Nifti1, header.Version);
        Assert.AreEqual(NiftiVersion.Nifti2, NiftiReader.ReadHeader(Path.Combine(s_dir!, "nifti2_bigendian.nii")).Version);
    }

    private static JsonElement Entry(string name)
    {
        if (s_skipReason is not null)
        {
            NibabelPython.Skip(s_skipReason);
        }

        return s_manifest.GetProperty(name);
    }

    private static double[][] Rows(JsonElement matrix) =>
        matrix.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    private static string ShortDtype(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => "u1",
        NiftiDataType.Int8 => "i1",
        NiftiDataType.Int16 => "i2",
        NiftiDataType.UInt16 => "u2",
        NiftiDataType.Int32 => "i4",
        NiftiDataType.UInt32 => "u4",
        NiftiDataType.Int64 => "i8",
        NiftiDataType.Float32 => "f4",
        NiftiDataType.Float64 => "f8",
        _ => type.ToString(),
    };
}
