using MLCardiac.Tests.Support;
using MLCardiac.Data;
using MLCardiac.Imaging;
using MLCardiac.Preprocessing;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class AcdcLayoutTests
{
    private string _root = null!;

    [TestInitialize]
    public void Init()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-acdc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>A 3D frame; labels in ACDC's convention: LV disc = 3, myocardial ring = 2, RV blob = 1.</summary>
    private static Volume Frame(bool labels, double lvRadius)
    {
        int n = 32, nz = 3;
        var data = new float[n * n * nz];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                {
                    double r = Math.Sqrt((x - 18) * (x - 18) + (y - 16) * (y - 16));
                    int acdc = r < lvRadius ? 3 : r < lvRadius + 3 ? 2 : x < 9 && Math.Abs(y - 16) < 5 ? 1 : 0;
                    data[(z * n + y) * n + x] = labels ? acdc : 100 + 40 * acdc;
                }
        return new Volume(data, [n, n, nz], new Spacing(1.5, 1.5, 10));
    }

    private void Patient(string code, string info, bool esLabel = true)
    {
        string dir = Path.Combine(_root, "training", code);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Info.cfg"), info);
        NiftiWriter.Write(Frame(false, 7), Path.Combine(dir, $"{code}_frame01.nii.gz"));
        NiftiWriter.Write(Frame(true, 7), Path.Combine(dir, $"{code}_frame01_gt.nii.gz"), new NiftiWriteOptions { DataType = NiftiDataType.UInt8 });
        NiftiWriter.Write(Frame(false, 4), Path.Combine(dir, $"{code}_frame03.nii.gz"));
        if (esLabel) NiftiWriter.Write(Frame(true, 4), Path.Combine(dir, $"{code}_frame03_gt.nii.gz"), new NiftiWriteOptions { DataType = NiftiDataType.UInt8 });
    }

    [TestMethod]
    public void Load_PatientsWithInfoCfg_TranslatesFramesAndLabelsAndReportsProblems()
    {
        Patient("patient001", "ED: 1\nES: 3\nGroup: DCM\nHeight: 180\nNbFrame: 4\nWeight: 80\n");
        Patient("patient002", "ED: 1\nES: 3\nGroup: NOR\nNbFrame: 4\n", esLabel: false);
        Patient("patient003", "ED: 1\nES: 9\nGroup: NOR\nNbFrame: 4\n");

        DatasetIndex index = DatasetLayouts.Load(_root);

        Assert.AreEqual(AcdcLayout.Name, index.Layout);
        CollectionAssert.AreEqual(new[] { "patient001", "patient002" }, index.Records.Select(r => r.Subject).Distinct().ToArray());
        Assert.IsTrue(index.Records.All(r => r.Vendor == AcdcLayout.Vendor && r.Dataset == "ACDC"));
        Assert.AreEqual("DCM", index.Records[0].Pathology);
        Assert.IsFalse(index.Records.Single(r => r.Subject == "patient002" && r.Role == FrameRole.ES).IsLabeled);
        Assert.IsTrue(index.Problems.Any(p => p.Subject == "patient003" && p.Fatal && p.Message.Contains("ES 9", StringComparison.Ordinal)));

        var cases = PreparedByTheChain.Prepare([.. index.Records.Where(r => r.Subject == "patient001")], new PreprocessingOptions { Size = 64, SpacingMm = 1.5 });
        PreparedByTheChain.PreparedCase ed = cases.Single(c => c.Record.Role == FrameRole.ED);
        PreparedByTheChain.PreparedCase es = cases.Single(c => c.Record.Role == FrameRole.ES);
        int lvEd = ed.Labels!.Count(v => v == 1), rvEd = ed.Labels!.Count(v => v == 3);
        Assert.AreEqual(3 * (int)Math.Round(Math.PI * 7 * 7), lvEd, 3 * 12, "ACDC's LV (3) becomes our 1: a disc of radius 7 on 3 slices");
        Assert.IsGreaterThan(0, rvEd, "ACDC's RV (1) becomes our 3");
        Assert.IsGreaterThan(es.Labels!.Count(v => v == 1), lvEd, "the LV is larger at ED (frame 1) than at ES (frame 3)");
    }

    [TestMethod]
    public void Load_FolderOfNeitherLayout_ThrowsNamingTheFolder()
    {
        Directory.CreateDirectory(Path.Combine(_root, "something"));
        var e = Assert.ThrowsExactly<MLCardiacException>(() => DatasetLayouts.Load(_root));
        StringAssert.Contains(e.Message, _root);
    }
}
