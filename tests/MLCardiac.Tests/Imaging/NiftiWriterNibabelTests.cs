using System.Text.Json;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Imaging;

/// <summary>NiftiWriter against nibabel: files we write must read in nibabel to the same values, affine, pixdim and codes.</summary>
[TestClass]
public sealed class NiftiWriterNibabelTests
{
    /// <summary>A rigid oblique orientation (rotation about z by 0.3 rad, then about x by 0.2 rad) with spacing 1.25 × 1.25 × 8 mm.</summary>
    private static readonly Affine Oblique = RotatedAffine(0.3, 0.2, new Spacing(1.25, 1.25, 8), -60.5, 30.25, -10);
    private static readonly Affine Lps = new([-0.75, 0, 0, 90, 0, -0.75, 0, 100, 0, 0, 6, -40, 0, 0, 0, 1]);
    private static readonly Dictionary<string, (Volume Volume, NiftiWriteOptions Options)> Written = [];
    private static string? s_dir;
    private static string? s_skipReason;
    private static JsonElement s_report;

    [ClassInitialize]
    public static void WriteAndReadWithNibabel(TestContext context)
    {
        _ = context;
        string? python = NibabelPython.TryGetInterpreter(out string reason);
        if (python is null)
        {
            s_skipReason = reason;
            return;
        }

        s_dir = TestFiles.NewTempDirectory("nibabel-read");
        foreach (NiftiDataType type in Enum.GetValues<NiftiDataType>())
        {
            float[] data = TestFiles.Ramp(5 * 4 * 3, 1f, type is NiftiDataType.UInt8 or NiftiDataType.UInt16 or NiftiDataType.UInt32 ? 0f : -50f);
            if (type is NiftiDataType.Float32 or NiftiDataType.Float64)
            {
                data = TestFiles.Ramp(60, 0.37f, -11.3f);
            }

            Add($"w_{type}.nii.gz", new Volume(data, [5, 4, 3], new Spacing(1.25, 1.25, 8), Oblique, 0, type),
                new NiftiWriteOptions { DataType = type });
        }

        Add("w_cine.nii.gz", new Volume(TestFiles.Ramp(6 * 5 * 4 * 3, 3f), [6, 5, 4, 3], new Spacing(0.75, 0.75, 6), Lps, 0.035), new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
        Add("w_lps.nii", new Volume(TestFiles.Ramp(60, 0.5f), [5, 4, 3], new Spacing(0.75, 0.75, 6), Lps), NiftiWriteOptions.Default);
        Add("w_nifti2.nii", new Volume(TestFiles.Ramp(60, 0.5f), [5, 4, 3], new Spacing(1.25, 1.25, 8), Oblique),
            new NiftiWriteOptions { Version = NiftiVersion.Nifti2 });
        Add("w_descrip.nii", new Volume(TestFiles.Ramp(60), [5, 4, 3], new Spacing(1, 1, 1)), new NiftiWriteOptions { Description = "study 42" });

        NibabelPython.RunScript(python, "read_with_nibabel.py", [s_dir, .. Written.Keys], TimeSpan.FromSeconds(120));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_dir, "nibabel.json")));
        s_report = doc.RootElement.Clone();
    }

    [ClassCleanup]
    public static void DeleteFiles()
    {
        if (s_dir is not null && Directory.Exists(s_dir))
        {
            Directory.Delete(s_dir, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("w_UInt8.nii.gz")]
    [DataRow("w_Int8.nii.gz")]
    [DataRow("w_Int16.nii.gz")]
    [DataRow("w_UInt16.nii.gz")]
    [DataRow("w_Int32.nii.gz")]
    [DataRow("w_UInt32.nii.gz")]
    [DataRow("w_Int64.nii.gz")]
    [DataRow("w_Float32.nii.gz")]
    [DataRow("w_Float64.nii.gz")]
    [DataRow("w_cine.nii.gz")]
    [DataRow("w_lps.nii")]
    [DataRow("w_nifti2.nii")]
    [DataRow("w_descrip.nii")]
    public void Write_ReadByNibabel_SameValuesAndGeometry(string file)
    {
        JsonElement r = Report(file);
        (Volume volume, NiftiWriteOptions options) = Written[file];

        TestFiles.AssertSameValues(volume.Data, TestFiles.ReadFloat32(Path.Combine(s_dir!, file.Split('.')[0] + ".f32")), file);
        CollectionAssert.AreEqual(volume.Shape, r.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), $"{file}: shape");
        double[][] affine = Rows(r.GetProperty("affine"));
        double[][] sform = Rows(r.GetProperty("sform"));
        double[][] qform = Rows(r.GetProperty("qform"));
        TestFiles.AssertAffine(affine, volume.VoxelToWorld, 1e-5, $"{file} (nibabel affine)");
        TestFiles.AssertAffine(sform, volume.VoxelToWorld, 1e-5, $"{file} (sform)");
        TestFiles.AssertAffine(qform, volume.VoxelToWorld, 1e-5, $"{file} (qform)");
        Assert.AreEqual((int)options.SformCode, r.GetProperty("sform_code").GetInt32(), "sform_code");
        Assert.AreEqual((int)options.QformCode, r.GetProperty("qform_code").GetInt32(), "qform_code");

        double[] pixdim = r.GetProperty("pixdim").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.AreEqual(volume.SpacingMm.X, pixdim[1], 1e-6);
        Assert.AreEqual(volume.SpacingMm.Y, pixdim[2], 1e-6);
        Assert.AreEqual(volume.SpacingMm.Z, pixdim[3], 1e-6);
        Assert.AreEqual(volume.TimeStepS, volume.Frames > 1 ? pixdim[4] : 0, 1e-7, "pixdim[4]");
        CollectionAssert.AreEqual(new[] { "mm", "sec" }, r.GetProperty("xyzt_units").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.AreEqual(Dtype(options.DataType), r.GetProperty("dtype").GetString());
        Assert.AreEqual(options.Description, r.GetProperty("descrip").GetString());
        Assert.AreEqual(options.Version == NiftiVersion.Nifti2 ? 2 : 1, r.GetProperty("version").GetInt32());
        Assert.AreEqual(volume.Orientation, r.GetProperty("axcodes").GetString());
    }

    private static Affine RotatedAffine(double aboutZ, double aboutX, Spacing spacing, double ox, double oy, double oz)
    {
        double cz = Math.Cos(aboutZ), sz = Math.Sin(aboutZ), cx = Math.Cos(aboutX), sx = Math.Sin(aboutX);
        double[,] r = { { cz, -sz * cx, sz * sx }, { sz, cz * cx, -cz * sx }, { 0, sx, cx } }; // Rz · Rx
        double[] s = [spacing.X, spacing.Y, spacing.Z];
        return new Affine([r[0, 0] * s[0], r[0, 1] * s[1], r[0, 2] * s[2], ox, r[1, 0] * s[0], r[1, 1] * s[1], r[1, 2] * s[2], oy, r[2, 0] * s[0], r[2, 1] * s[1], r[2, 2] * s[2], oz, 0, 0, 0, 1]);
    }

    private static void Add(string file, Volume volume, NiftiWriteOptions options)
    {
        NiftiWriter.Write(volume, Path.Combine(s_dir!, file), options);
        Written[file] = (volume, options);
    }

    private static JsonElement Report(string file)
    {
        if (s_skipReason is not null)
        {
            NibabelPython.Skip(s_skipReason);
        }

        return s_report.GetProperty(file);
    }

    private static double[][] Rows(JsonElement matrix) =>
        matrix.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    private static string Dtype(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => "|u1",
        NiftiDataType.Int8 => "|i1",
        NiftiDataType.Int16 => "<i2",
        NiftiDataType.UInt16 => "<u2",
        NiftiDataType.Int32 => "<i4",
        NiftiDataType.UInt32 => "<u4",
        NiftiDataType.Int64 => "<i8",
        NiftiDataType.Float32 => "<f4",
        NiftiDataType.Float64 => "<f8",
        _ => type.ToString(),
    };
}
