using MLCardiac.Data;
using MLCardiac.Imaging;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class Mnms2LayoutTests
{
    private string _root = null!;

    [TestInitialize]
    public void Init()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-mnms2-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    private void Write(string code, params string[] suffixes)
    {
        string dir = Path.Combine(_root, "dataset", code);
        foreach (string s in suffixes)
            NiftiWriter.Write(new Volume(new float[8 * 8 * 2], [8, 8, 2], new Spacing(1.25, 1.25, 10)), Path.Combine(dir, $"{code}_{s}.nii.gz"));
    }

    [TestMethod]
    public void Load_SubjectsAndMetadata_IndexesShortAxisFramesAndReportsProblems()
    {
        Write("001", "SA_ED", "SA_ED_gt", "SA_ES", "SA_ES_gt", "SA_CINE", "LA_ED", "LA_ES");
        Write("002", "SA_ED", "SA_ED_gt");
        File.WriteAllText(Path.Combine(_root, "dataset_information.csv"),
            "SUBJECT_CODE,DISEASE,VENDOR,SCANNER,FIELD\n1,NOR,SIEMENS,Avanto,1.5\n2,LV,GE,Signa,3\n3,NOR,Philips,Achieva,1.5\n");

        DatasetIndex index = DatasetLayouts.Load(_root);

        Assert.AreEqual(Mnms2Layout.Name, index.Layout);
        Assert.HasCount(2, index.Records);
        CaseRecord ed = index.Records.Single(r => r.Role == FrameRole.ED);
        Assert.AreEqual("001", ed.Subject);
        Assert.AreEqual("SIEMENS", ed.Vendor);
        Assert.AreEqual(1.5, ed.FieldStrengthT);
        Assert.AreEqual("Avanto", ed.Scanner);
        StringAssert.EndsWith(ed.LabelPath, "001_SA_ED_gt.nii.gz");
        Assert.IsTrue(index.Problems.Any(p => p.Subject == "002" && p.Fatal && p.Message.Contains("ES image is missing", StringComparison.Ordinal)));
        Assert.IsTrue(index.Problems.Any(p => p.Subject == "003" && p.Fatal));
        Assert.IsTrue(index.Problems.Any(p => !p.Fatal && p.Message.StartsWith("2 long-axis files", StringComparison.Ordinal)));
    }
}
