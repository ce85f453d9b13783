using System.Text.Json;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Experiments;
using MLCardiac.Imaging;
using MLCardiac.Planning;
using MLCardiac.Preprocessing;
using MLCardiac.Tests.Cli;
using MLCardiac.Tests.Data;

namespace MLCardiac.Tests.Planning;

/// <summary>
/// <c>mlcardiac plan</c>: the fingerprint, the rules that turn it into a plan, plans.json, and train taking its defaults
/// from it — on the synthetic cohort and on an ACDC-layout fixture with another spacing.
/// </summary>
[TestClass]
public sealed class TrainingPlanTests
{
    private string _root = null!;

    [TestInitialize]
    public void Init()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-plan-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// ACDC layout, 80 × 80 × 4 at 0.8 × 0.8 × 8 mm; every slice labels the block x 46..61, y 30..41 (myocardium, ACDC 2):
    /// from the centre (40, 40) it reaches 62 − 40 = 22 px = 17.6 mm along x and 40 − 30 = 10 px along y.
    /// </summary>
    private string AcdcFixture()
    {
        string root = Path.Combine(_root, "acdc");
        for (int p = 1; p <= 2; p++)
        {
            string code = $"patient00{p}";
            string dir = Path.Combine(root, "training", code);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "Info.cfg"), "ED: 1\nES: 2\nGroup: NOR\nNbFrame: 2\n");
            foreach (int frame in new[] { 1, 2 })
            {
                var image = new float[80 * 80 * 4];
                var label = new float[image.Length];
                for (int z = 0; z < 4; z++)
                    for (int y = 0; y < 80; y++)
                        for (int x = 0; x < 80; x++)
                        {
                            int i = (z * 80 + y) * 80 + x;
                            bool heart = x is >= 46 and <= 61 && y is >= 30 and <= 41;
                            label[i] = heart ? 2 : 0;
                            image[i] = (heart ? 300 : 100) + p * 10 + (x * 7 + y * 3) % 11;
                        }
                var spacing = new Spacing(0.8, 0.8, 8);
                NiftiWriter.Write(new Volume(image, [80, 80, 4], spacing), Path.Combine(dir, $"{code}_frame0{frame}.nii.gz"));
                NiftiWriter.Write(new Volume(label, [80, 80, 4], spacing), Path.Combine(dir, $"{code}_frame0{frame}_gt.nii.gz"), new NiftiWriteOptions { DataType = NiftiDataType.UInt8 });
            }
        }
        return root;
    }

    private string SyntheticFixture()
    {
        string root = Path.Combine(_root, "synthetic");
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(root, new SyntheticDatasetRequest
        {
            Vendors = [VendorProfiles.A, VendorProfiles.C],
            SubjectsPerVendor = 2,
        });
        return root;
    }

    [TestMethod]
    public void HeartReach_Block_IsTheFarthestLabelEdgeFromTheImageCentre()
    {
        var labels = new float[10 * 8 * 2];
        labels[(1 * 8 + 6) * 10 + 8] = 3; // slice 1, y 6, x 8: edge at x 9 → 4 px from centre 5 along x; y edge 7 → 3 px from 4
        labels[(0 * 8 + 1) * 10 + 4] = 1; // y 1 → 3 px from 4 along y (its lower edge)

        double reach = DatasetFingerprint.HeartReach(labels, 10, 8, 2, new Spacing(2, 3, 10));

        Assert.AreEqual(Math.Max(4 * 2.0, 3 * 3.0), reach, 1e-12, "x: 4 px × 2 mm; y: 3 px × 3 mm");
        Assert.IsTrue(double.IsNaN(DatasetFingerprint.HeartReach(new float[10 * 8 * 2], 10, 8, 2, new Spacing(1, 1, 1))), "no label: no reach");
    }

    [TestMethod]
    public void Plan_AcdcFixture_FollowsItsSpacingAndCropsTheHeartWithTheMargin()
    {
        DatasetIndex index = DatasetLayouts.Load(AcdcFixture());

        TrainingPlan plan = TrainingPlan.From(DatasetFingerprint.Measure(index));

        // spacing: the median 0.8 mm; reach 17.6 mm + 8 mm margin = 25.6 mm half-side → 64 px, depth log2(64 / 8) = 3.
        Assert.AreEqual(0.8, plan.SpacingMm, 1e-9);
        Assert.AreEqual(64, plan.Size);
        Assert.AreEqual(3, plan.Depth);
        Assert.AreEqual(8.0, plan.SliceSpacingMm, 1e-9);
        Assert.AreEqual(16, plan.BaseFilters, "CPU plan");
        Assert.AreEqual(8, plan.BatchSize, "CPU plan, fits");
        Assert.AreEqual(17.6, plan.Vendors.Single().HeartReachMm, 1e-9);
        Assert.AreEqual(3, plan.InPlaneStages, "3D: 0.8 mm doubled three times (6.4 mm) is the first to reach half the 8 mm slice spacing");
        Assert.AreEqual((int)plan.Vendors.Single().Slices, plan.PatchDepth, "no through-plane pooling left: the patch is the median stack");
        Assert.AreEqual(2, plan.BatchSize3d, "nnU-Net's 3D batch");
        Assert.IsGreaterThanOrEqualTo(6, plan.Reasons.Count, "one reason per decision");
    }

    [TestMethod]
    public void Plan_SyntheticAgainstAcdc_SpacingIsEachDatasetsMedian_AndTheCropHoldsEveryHeartWithinTheMargin()
    {
        DatasetIndex synthetic = DatasetLayouts.Load(SyntheticFixture());
        DatasetIndex acdc = DatasetLayouts.Load(AcdcFixture());

        TrainingPlan a = TrainingPlan.From(DatasetFingerprint.Measure(synthetic));
        TrainingPlan b = TrainingPlan.From(DatasetFingerprint.Measure(acdc));

        // Independently of the fingerprint: the median in-plane spacing from the NIfTI headers.
        double[] pixel = [.. synthetic.Records.Where(r => r.IsLabeled).Select(r => NiftiReader.ReadHeader(r.ImagePath).PixDim[1]).Order()];
        double median = pixel.Length % 2 == 1 ? pixel[pixel.Length / 2] : (pixel[pixel.Length / 2 - 1] + pixel[pixel.Length / 2]) / 2;
        Assert.AreEqual(Math.Round(median, 2), a.SpacingMm, 1e-9);
        Assert.AreNotEqual(a.SpacingMm, b.SpacingMm, "two datasets, two spacings");
        Assert.IsGreaterThan(b.Size * b.SpacingMm, a.Size * a.SpacingMm, "the synthetic hearts sit farther from the image centre than the fixture's: a wider field of view");

        // Behaviour, through the preprocessor: with the plan's spacing and crop, no label voxel of any frame falls within
        // the margin's width of the crop's border (so none is cut off).
        var preprocessor = new Preprocessor(new PreprocessingOptions { Size = a.Size, SpacingMm = a.SpacingMm });
        int band = (int)Math.Floor(new PlanOptions().MarginMm / a.SpacingMm) - 1;
        foreach (CaseRecord r in synthetic.Records.Where(r => r.IsLabeled))
        {
            Volume image = NiftiReader.Read(r.ImagePath), labels = NiftiReader.Read(r.LabelPath!);
            byte[] slices = Preprocessor.Label(labels, r.LabelFrame, preprocessor.Plan(image));
            int s = a.Size;
            for (int z = 0; z < slices.Length / (s * s); z++)
                for (int y = 0; y < s; y++)
                    for (int x = 0; x < s; x++)
                        if (slices[(z * s + y) * s + x] != 0)
                            Assert.IsTrue(x >= band && y >= band && x < s - band && y < s - band, $"{r.Subject} {r.Role}: label at ({x}, {y}) of slice {z} within {band} px of the {s}-px crop's border");
        }
    }

    [TestMethod]
    public void Plan_Cuda_WidensTheNetwork_AndATightMemoryBudgetNarrowsIt()
    {
        var fingerprint = DatasetFingerprint.Measure(DatasetLayouts.Load(AcdcFixture()));

        TrainingPlan gpu = TrainingPlan.From(fingerprint, new PlanOptions { Device = "cuda" });
        // 64 px, depth 3, 32 filters: about 23 MB of activations per slice; 32 MiB does not hold a batch of 2.
        TrainingPlan tight = TrainingPlan.From(fingerprint, new PlanOptions { Device = "cuda", MemoryBytes = 32L << 20 });

        Assert.AreEqual(32, gpu.BaseFilters, "nnU-Net's width on a GPU");
        Assert.IsLessThanOrEqualTo(32, gpu.BatchSize);
        Assert.IsGreaterThanOrEqualTo(2, gpu.BatchSize);
        Assert.IsLessThanOrEqualTo(32L << 20, tight.BatchMemoryBytes, "the batch fits the budget");
        Assert.AreEqual(16, tight.BaseFilters, "halved until a batch of 2 fits");
        Assert.AreEqual(2, tight.BatchSize);
    }

    [TestMethod]
    public void SaveLoad_RoundTrip_AndABadValueNamesTheFileAndTheKey()
    {
        TrainingPlan plan = TrainingPlan.From(DatasetFingerprint.Measure(DatasetLayouts.Load(AcdcFixture())));
        string path = Path.Combine(_root, "plans.json");

        plan.Save(path);
        TrainingPlan back = TrainingPlan.Load(path);

        Assert.AreEqual(plan.SpacingMm, back.SpacingMm);
        Assert.AreEqual(plan.Size, back.Size);
        Assert.AreEqual(plan.Depth, back.Depth);
        Assert.AreEqual(plan.BaseFilters, back.BaseFilters);
        Assert.AreEqual(plan.BatchSize, back.BatchSize);
        Assert.AreEqual(plan.InPlaneStages, back.InPlaneStages);
        Assert.AreEqual(plan.PatchDepth, back.PatchDepth);
        Assert.AreEqual(plan.BatchSize3d, back.BatchSize3d);
        CollectionAssert.AreEqual(plan.Reasons.ToArray(), back.Reasons.ToArray());
        Assert.AreEqual(plan.Vendors.Single(), back.Vendors.Single());

        File.WriteAllText(path, File.ReadAllText(path).Replace("\"size\": 64", "\"size\": 60", StringComparison.Ordinal));
        var e = Assert.ThrowsExactly<MLCardiacException>(() => TrainingPlan.Load(path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "size 60");
    }

    [TestMethod]
    public void PlanThenTrain_TrainTakesTheValuesItIsNotGiven_FromPlansJson()
    {
        string data = SyntheticFixture();
        (int code, string output) = CliRunner.Run("plan", data);
        Assert.AreEqual(0, code, output);
        TrainingPlan written = TrainingPlan.Load(Path.Combine(data, TrainingPlan.FileName));
        StringAssert.Contains(output, $"crop {written.Size} px");
        // A small plan in its place (what a user may also edit by hand), so that training stays quick.
        new TrainingPlan { SpacingMm = 3.0, Size = 48, Depth = 2, BaseFilters = 4, BatchSize = 3, Reasons = ["test"] }.Save(Path.Combine(data, TrainingPlan.FileName));
        string model = Path.Combine(_root, "model");

        (code, output) = CliRunner.Run("train", "--data", data, "--train-vendors", "A,C", "--out", model, "--depth", "3",
            "--epochs", "1", "--iterations", "2", "--val-fraction", "0.25", "--test-fraction", "0.25", "--augment", "none");

        Assert.AreEqual(0, code, output);
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "training-summary.json")));
        JsonElement options = summary.RootElement.GetProperty("options");
        Assert.AreEqual(48, options.GetProperty("Preprocessing").GetProperty("Size").GetInt32(), "size from the plan");
        Assert.AreEqual(3.0, options.GetProperty("Preprocessing").GetProperty("SpacingMm").GetDouble(), "spacing from the plan");
        JsonElement trainer = options.GetProperty("Trainer");
        Assert.AreEqual(4, trainer.GetProperty("Network").GetProperty("BaseFilters").GetInt32(), "width from the plan");
        Assert.AreEqual(3, trainer.GetProperty("Network").GetProperty("Depth").GetInt32(), "the command line wins over the plan");
        Assert.AreEqual(3, trainer.GetProperty("BatchSize").GetInt32(), "batch from the plan");
    }

    [TestMethod]
    public void Loader_Unspecified_IsWhatTheFileGivesNowhere_RootArmsOrProfile()
    {
        const string json = """
            {
              "schemaVersion": 1, "id": "u",
              "split": { "trainVendors": ["A"] },
              "model": { "depth": 3 },
              "arms": [ { "name": "a", "augmentation": "none" }, { "name": "b", "augmentation": "none", "training": { "batchSize": 4 } } ],
              "profiles": { "quick": { "preprocessing": { "size": 64 } } }
            }
            """;

        var plain = ExperimentLoader.Parse(json, "u.json");
        var quick = ExperimentLoader.Parse(json, "u.json", "quick");

        CollectionAssert.AreEqual(new[] { "preprocessing.size", "preprocessing.spacingMm", "model.baseFilters", "model.inPlaneStages", "model.patchDepth" }, plain.Unspecified.ToArray());
        CollectionAssert.AreEqual(new[] { "preprocessing.spacingMm", "model.baseFilters", "model.inPlaneStages", "model.patchDepth" }, quick.Unspecified.ToArray());
        var plan = new TrainingPlan { SpacingMm = 1.6, Size = 96, Depth = 5, BaseFilters = 8, BatchSize = 6 };
        ExperimentDefinition planned = plain.WithPlan(plan, "DATA/plans.json");
        Assert.AreEqual(96, planned.Preprocessing.Size);
        Assert.AreEqual(1.6, planned.Preprocessing.SpacingMm);
        Assert.IsTrue(planned.Arms.All(a => a.Model.BaseFilters == 8 && a.Model.Depth == 3), "depth is the file's");
        CollectionAssert.AreEqual(new[] { new TrainingBudget().BatchSize, 4 }, planned.Arms.Select(a => a.Training.BatchSize).ToArray(), "arm b gives a batch size, so the batch is not the plan's");
        var e = Assert.ThrowsExactly<MLCardiacException>(() => plain.WithPlan(plan with { Size = 100 }, "DATA/plans.json"));
        StringAssert.Contains(e.Message, "DATA/plans.json");
        StringAssert.Contains(e.Message, "arm \"a\"");
    }

    [TestMethod]
    public void Run_AStudyThatLeavesSizeSpacingWidthAndBatchOpen_TakesThemFromTheDatasetsPlan()
    {
        string data = Path.Combine(_root, "data");
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(data, new SyntheticDatasetRequest { Vendors = [VendorProfiles.A, VendorProfiles.C], SubjectsPerVendor = 3 });
        new TrainingPlan { SpacingMm = 3.0, Size = 48, Depth = 2, BaseFilters = 4, BatchSize = 2, Reasons = ["test"] }.Save(Path.Combine(data, TrainingPlan.FileName));
        string experiment = Path.Combine(_root, "planned.json");
        File.WriteAllText(experiment, $$"""
            {
              "schemaVersion": 1, "id": "planned",
              "data": { "source": "path", "path": {{System.Text.Json.JsonSerializer.Serialize(data)}} },
              "split": { "trainVendors": ["A"], "testFraction": 0.34, "validationFraction": 0.34 },
              "model": { "depth": 3 },
              "training": { "epochs": 1, "iterationsPerEpoch": 2 },
              "arms": [ { "name": "noaug", "augmentation": "none" } ],
              "figures": []
            }
            """);

        (int code, string output) = CliRunner.Run("run", experiment, "--out-models", Path.Combine(_root, "models"), "--out-reports", Path.Combine(_root, "reports"));

        Assert.AreEqual(0, code, output);
        using JsonDocument used = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, "reports", "planned", "experiment.json")));
        JsonElement root = used.RootElement;
        Assert.AreEqual(48, root.GetProperty("preprocessing").GetProperty("size").GetInt32());
        Assert.AreEqual(3.0, root.GetProperty("preprocessing").GetProperty("spacingMm").GetDouble());
        JsonElement arm = root.GetProperty("arms")[0];
        Assert.AreEqual(4, arm.GetProperty("model").GetProperty("baseFilters").GetInt32());
        Assert.AreEqual(3, arm.GetProperty("model").GetProperty("depth").GetInt32(), "the file's depth wins");
        Assert.AreEqual(2, arm.GetProperty("training").GetProperty("batchSize").GetInt32());
        StringAssert.Contains(File.ReadAllText(Path.Combine(_root, "reports", "planned", "report.html")), "plan (plans.json): preprocessing.size, preprocessing.spacingMm, training.batchSize, model.baseFilters");
    }
}
