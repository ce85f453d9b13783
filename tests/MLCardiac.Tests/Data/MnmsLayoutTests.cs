using MLCardiac.Tests.Support;
using MLCardiac.Data;
using MLCardiac.Imaging;
using MLCardiac.Preprocessing;

namespace MLCardiac.Tests.Data;

[TestClass]
public sealed class MnmsLayoutTests
{
    private string _root = null!;

    [TestInitialize]
    public void Init()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-mnms-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    private static Volume Cine(int nx, int ny, int nz, int frames, bool labels)
    {
        var data = new float[nx * ny * nz * frames];
        for (int t = 0; t < frames; t++)
            for (int z = 0; z < nz; z++)
                for (int y = 0; y < ny; y++)
                    for (int x = 0; x < nx; x++)
                    {
                        double r = Math.Sqrt((x - nx / 2.0) * (x - nx / 2.0) + (y - ny / 2.0) * (y - ny / 2.0));
                        int label = r < 6 - t * 0.5 ? 1 : r < 9 ? 2 : x < nx / 2 - 10 && Math.Abs(y - ny / 2) < 5 ? 3 : 0;
                        data[((t * nz + z) * ny + y) * nx + x] = labels ? ((t == 0 || t == 2) ? label : 0) : 100 + 50 * label + (x * 7 + y * 3) % 11;
                    }
        return new Volume(data, [nx, ny, nz, frames], new Spacing(1.25, 1.25, 8));
    }

    private void Subject(string folder, string code, bool label, int ny = 32)
    {
        string dir = Path.Combine(_root, "Training", folder, code);
        NiftiWriter.Write(Cine(32, 32, 3, 4, labels: false), Path.Combine(dir, $"{code}_sa.nii.gz"), new NiftiWriteOptions { DataType = NiftiDataType.Int16 });
        if (label) NiftiWriter.Write(Cine(32, ny, 3, 4, labels: true), Path.Combine(dir, $"{code}_sa_gt.nii.gz"), new NiftiWriteOptions { DataType = NiftiDataType.UInt8 });
    }

    private void Csv(params string[] rows) =>
        File.WriteAllText(Path.Combine(_root, "211230_M&Ms_Dataset_information_diagnosis_opendataset.csv"),
            ",External code,VendorName,Vendor,Centre,ED,ES,Age,Pathology,Sex,Height,Weight\n" + string.Join("\n", rows) + "\n");

    [TestMethod]
    public void Load_ValidAndBrokenSubjects_IndexesTheValidOnesAndReportsEveryProblem()
    {
        Subject("Labeled", "AAA111", label: true);
        Subject("Labeled", "BBB222", label: true);
        Subject("Unlabeled", "CCC333", label: false);
        Subject("Labeled", "NOROW1", label: true);
        Subject("Labeled", "LATEES", label: true);
        Subject("Labeled", "SHAPE1", label: true, ny: 30);
        Csv("0,AAA111,Siemens,A,1,0,2,50,NOR,M,170,70",
            "1,BBB222,\"Philips, Medical\",B,2,0,2,61,DCM,F,160,60",
            "2,CCC333,Canon,C,3,0,2,40,HCM,M,180,90",
            "3,LATEES,Siemens,A,1,0,9,40,NOR,M,180,90",
            "4,SHAPE1,Siemens,A,1,0,2,40,NOR,M,180,90");

        DatasetIndex index = MnmsLayout.Load(_root);

        CollectionAssert.AreEquivalent(new[] { "AAA111", "BBB222", "CCC333" }, index.Records.Select(r => r.Subject).Distinct().ToArray());
        Assert.HasCount(6, index.Records, "an ED and an ES record per subject");
        Assert.IsTrue(index.Records.Where(r => r.Subject == "CCC333").All(r => !r.IsLabeled));
        Assert.AreEqual("Philips, Medical", index.Records.First(r => r.Subject == "BBB222").VendorName);
        Assert.AreEqual(2, index.Records.Single(r => r.Subject == "AAA111" && r.Role == FrameRole.ES).ImageFrame);
        Assert.IsTrue(index.Problems.Any(p => p.Subject == "NOROW1" && p.Fatal && p.Message.Contains("no row", StringComparison.Ordinal)));
        Assert.IsTrue(index.Problems.Any(p => p.Subject == "LATEES" && p.Fatal && p.Message.Contains("ES frame 9", StringComparison.Ordinal)));
        Assert.IsTrue(index.Problems.Any(p => p.Subject == "SHAPE1" && p.Fatal && p.Message.Contains("label shape", StringComparison.Ordinal)));
        CollectionAssert.AreEqual(new[] { "A", "B", "C" }, index.Vendors.ToArray());
    }

    [TestMethod]
    public void Load_SyntheticVendorBothLabeledAndUnlabeled_IndexesDistinctSubjects()
    {
        new MLCardiac.Data.Synthetic.SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(_root, new MLCardiac.Data.Synthetic.SyntheticDatasetRequest
        {
            Vendors = [MLCardiac.Data.Synthetic.VendorProfiles.C],
            UnlabeledVendors = [MLCardiac.Data.Synthetic.VendorProfiles.C],
            SubjectsPerVendor = 1,
            UnlabeledPerVendor = 2,
        });

        DatasetIndex index = MnmsLayout.Load(_root);

        Assert.IsEmpty(index.Problems);
        Assert.AreEqual("synthetic", index.Records[0].Dataset);
        Assert.HasCount(1, index.Records.Where(r => r.IsLabeled).Select(r => r.Subject).Distinct().ToList());
        Assert.HasCount(2, index.Records.Where(r => !r.IsLabeled).Select(r => r.Subject).Distinct().ToList());
        Assert.HasCount(3, index.Records.Select(r => r.Subject).Distinct().ToList());
        Assert.IsTrue(index.Records.All(r => r.Vendor == "C"));
    }

    [TestMethod]
    public void Load_NoMetadataCsv_ReportsAFatalDatasetProblem()
    {
        Subject("Labeled", "AAA111", label: true);
        DatasetIndex index = MnmsLayout.Load(_root);
        Assert.IsEmpty(index.Records);
        Assert.IsTrue(index.Problems.Single().Fatal);
        StringAssert.Contains(index.Problems.Single().Message, "External code");
    }

    [TestMethod]
    public void Prepare_LabeledAndUnlabeledRecords_GivesSlicesWithLabelsAtTheRightFrames()
    {
        Subject("Labeled", "AAA111", label: true);
        Subject("Unlabeled", "CCC333", label: false);
        Csv("0,AAA111,Siemens,A,1,0,2,50,NOR,M,170,70", "1,CCC333,Canon,C,3,0,2,40,HCM,M,180,90");
        DatasetIndex index = MnmsLayout.Load(_root);

        var cases = PreparedByTheChain.Prepare(index.Records, new PreprocessingOptions { Size = 32 });
        var slices = PreparedByTheChain.ToSlices(cases, index.Vendors);

        Assert.HasCount(4, cases);
        PreparedByTheChain.PreparedCase ed = cases.Single(c => c.Record.Subject == "AAA111" && c.Record.Role == FrameRole.ED);
        PreparedByTheChain.PreparedCase es = cases.Single(c => c.Record.Subject == "AAA111" && c.Record.Role == FrameRole.ES);
        Assert.IsGreaterThan(es.Labels!.Count(v => v == 1), ed.Labels!.Count(v => v == 1), "the LV is larger at ED than at ES");
        Assert.IsTrue(cases.Where(c => c.Record.Subject == "CCC333").All(c => c.Labels is null));
        Assert.HasCount(12, slices.Slices);
        Assert.AreEqual(6, slices.Slices.Count(s => s.Label is null));
        Assert.IsTrue(slices.Slices.Where(s => s.Subject == "CCC333").All(s => s.Domain == 1));
    }
}

[TestClass]
public sealed class SubjectSplitTests
{
    private static List<CaseRecord> Records()
    {
        var list = new List<CaseRecord>();
        foreach (string v in new[] { "A", "B", "C" })
            for (int s = 0; s < 10; s++)
                foreach (var role in new[] { FrameRole.ED, FrameRole.ES })
                    list.Add(new CaseRecord($"{v}{s:D2}", v, null, role, $"{v}{s}.nii.gz", role == FrameRole.ED ? 0 : 9, null, 0, "test"));
        return list;
    }

    [TestMethod]
    public void BySubject_SameSeed_SameSplitAndNoSubjectOnBothSides()
    {
        var (a1, b1) = SubjectSplit.BySubject(Records(), 0.2, seed: 4);
        var (a2, b2) = SubjectSplit.BySubject(Records(), 0.2, seed: 4);
        var (_, b3) = SubjectSplit.BySubject(Records(), 0.2, seed: 5);

        CollectionAssert.AreEqual(b1.Select(r => r.Subject).ToArray(), b2.Select(r => r.Subject).ToArray());
        CollectionAssert.AreEqual(a1.Select(r => r.Subject).ToArray(), a2.Select(r => r.Subject).ToArray());
        CollectionAssert.AreNotEqual(b1.Select(r => r.Subject).ToArray(), b3.Select(r => r.Subject).ToArray());
        Assert.IsEmpty(a1.Select(r => r.Subject).Intersect(b1.Select(r => r.Subject)));
        Assert.HasCount(12, b1, "2 of 10 subjects per vendor, 2 frames each");
        Assert.IsTrue(b1.GroupBy(r => r.Vendor).All(g => g.Count() == 4));
        Assert.HasCount(60, a1.Concat(b1).ToList());
    }

    [TestMethod]
    public void LeaveOneVendorOut_ThreeVendors_HoldsOutEachOnce()
    {
        var folds = SubjectSplit.LeaveOneVendorOut(Records()).ToList();
        CollectionAssert.AreEqual(new[] { "A", "B", "C" }, folds.Select(f => f.HeldOutVendor).ToArray());
        Assert.IsTrue(folds.All(f => f.HeldOut.All(r => r.Vendor == f.HeldOutVendor) && f.Train.All(r => r.Vendor != f.HeldOutVendor)));
    }
}
