using System.Text.Json;
using MLCardiac.Data.Synthetic;
using MLCardiac.Imaging;
using MLCardiac.Tests.Data;

namespace MLCardiac.Tests.Cli;

/// <summary><c>mlcardiac train</c> end to end on a tiny synthetic dataset in the M&amp;Ms layout.</summary>
[TestClass]
public sealed class TrainCommandTests
{
    private static string _data = "";

    [ClassInitialize]
    public static void WriteDataset(TestContext context)
    {
        _data = Path.Combine(Path.GetTempPath(), "mlcardiac-cli-train-" + Guid.NewGuid().ToString("N"));
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(_data, new SyntheticDatasetRequest
        {
            Vendors = [VendorProfiles.A, VendorProfiles.B],
            UnlabeledVendors = [VendorProfiles.C],
            SubjectsPerVendor = 3,
        });
    }

    [ClassCleanup]
    public static void DeleteDataset() => Directory.Delete(_data, recursive: true);

    [TestMethod]
    public void Train_OneVendor_WritesModelAndReportsSeenAndUnseenVendors()
    {
        string model = Path.Combine(_data, "models", "a");

        (int code, string output) = CliRunner.Run("train", "--data", _data, "--train-vendors", "A", "--out", model,
            "--size", "64", "--spacing", "2.5", "--depth", "3", "--base-filters", "4", "--epochs", "2", "--iterations", "3",
            "--batch", "2", "--val-fraction", "0.34", "--test-fraction", "0.34", "--augment", "heavy");

        Assert.AreEqual(0, code, output);
        Assert.IsTrue(File.Exists(Path.Combine(model, "model.zip")), "train writes the one model file");
        Assert.HasCount(2, File.ReadAllLines(Path.Combine(model, "training-log.jsonl")));
        using JsonDocument meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "training-summary.json")));
        var rows = meta.RootElement.GetProperty("evaluation").EnumerateArray()
            .ToDictionary(e => e.GetProperty("Vendor").GetString()!, e => e.GetProperty("Role").GetString());
        Assert.AreEqual("seen", rows["A"]);
        Assert.AreEqual("unseen", rows["B"]);
        Assert.IsFalse(rows.ContainsKey("C"), "C has no labeled subject to test on");
        var train = meta.RootElement.GetProperty("trainSubjects").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        var test = meta.RootElement.GetProperty("testSubjects").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        Assert.IsEmpty(train.Intersect(test), "no subject is both trained on and tested");
        StringAssert.Contains(output, "unseen");
    }

    [TestMethod]
    public void Train_DannWithUnlabeledTargetVendor_TrainsWithDomainHead()
    {
        string model = Path.Combine(_data, "models", "dann");

        (int code, string output) = CliRunner.Run("train", "--data", _data, "--train-vendors", "A,B", "--target-vendors", "C", "--out", model,
            "--size", "64", "--spacing", "2.5", "--depth", "3", "--base-filters", "4", "--epochs", "1", "--iterations", "2", "--batch", "2");

        Assert.AreEqual(0, code, output);
        string log = File.ReadAllLines(Path.Combine(model, "training-log.jsonl"))[0];
        using JsonDocument record = JsonDocument.Parse(log);
        Assert.AreNotEqual(JsonValueKind.Null, record.RootElement.GetProperty("DomainLoss").ValueKind);
        StringAssert.Contains(output, "DANN target C");
    }

    [TestMethod]
    public void Predict_TrainedModelOnACine_WritesLabelsOnTheImageGrid()
    {
        string model = Path.Combine(_data, "models", "predict");
        // Trained as the server tests' model is (3 × 16 steps of 8 slices): enough to find the heart, so that agreeing labels mean something.
        Assert.AreEqual(0, CliRunner.Run("train", "--data", _data, "--train-vendors", "A", "--out", model, "--size", "64", "--spacing", "2.5",
            "--depth", "3", "--base-filters", "8", "--epochs", "3", "--iterations", "16", "--batch", "8", "--augment", "none", "--lr", "0.003").Code);
        string image = Directory.GetFiles(Path.Combine(_data, "Training", "Labeled"), "*_sa.nii.gz", SearchOption.AllDirectories).Order().First();
        string output = Path.Combine(_data, "pred.nii.gz");

        (int code, string text) = CliRunner.Run("predict", image, "--model", model, "--out", output, "--frame", "1");

        Assert.AreEqual(0, code, text);
        Volume source = NiftiReader.Read(image);
        Volume labels = NiftiReader.Read(output);
        CollectionAssert.AreEqual(new[] { source.SizeX, source.SizeY, source.SizeZ }, labels.Shape);
        Assert.IsTrue(labels.VoxelToWorld.ApproximatelyEquals(source.VoxelToWorld, 1e-4));
        CollectionAssert.IsSubsetOf(labels.Data.Distinct().ToArray(), new float[] { 0, 1, 2, 3 });
        StringAssert.Contains(text, "LV (ml)");

        // An application's PredictionEngine over the same model.zip gives the labels `mlcardiac predict` wrote.
        var ml = new Microsoft.ML.MLContext(1);
        var cardiac = MLCardiac.ML.CardiacSegmentationExtensions.CardiacSegmentation(ml);
        var chain = cardiac.LoadModel(Path.Combine(model, "model.zip"), out _);
        using (var engine = ml.Model.CreatePredictionEngine<MLCardiac.ML.VolumeInput, MLCardiac.ML.SegmentationOutput>(cardiac.WithoutLoader(chain)))
        {
            var s = source.SpacingMm;
            byte[] viaEngine = engine.Predict(new MLCardiac.ML.VolumeInput
            {
                Image = source.Frame(1).ToArray(), ImageShape = [source.SizeX, source.SizeY, source.SizeZ], SpacingMm = [(float)s.X, (float)s.Y, (float)s.Z],
            }).PredictedLabel;
            CollectionAssert.AreEqual(labels.Data.Select(v => (byte)v).ToArray(), viaEngine, "PredictionEngine and predict agree voxel for voxel");
            Assert.IsGreaterThan(0, viaEngine.Count(v => v != 0), "something is segmented");
        }

        string folderOut = Path.Combine(_data, "pred-folder");
        (code, text) = CliRunner.Run("predict", Path.GetDirectoryName(image)!, "--model", model, "--out", folderOut, "--tta");
        Assert.AreEqual(0, code, text);
        string[] written = Directory.GetFiles(folderOut).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        string stem = Path.GetFileName(image).Replace(".nii.gz", "_pred", StringComparison.Ordinal);
        CollectionAssert.AreEqual(new[] { stem + ".nii.gz", stem + ".quality.json" }, written, "the _gt file is not an input; each label map has its quality sidecar");
    }

    [TestMethod]
    public void Predict_MissingModel_ExitCode1NamingThePath()
    {
        string image = Directory.GetFiles(Path.Combine(_data, "Training", "Labeled"), "*_sa.nii.gz", SearchOption.AllDirectories).First();
        (int code, string text) = CliRunner.Run("predict", image, "--model", Path.Combine(_data, "nowhere"), "--out", Path.Combine(_data, "x.nii.gz"));
        Assert.AreEqual(1, code, text);
        StringAssert.Contains(text, Path.Combine(_data, "nowhere"));
    }

    [TestMethod]
    public void ClassifyVendor_TwoKnownOneUnseen_SavesAClassifierThatLoadsBack()
    {
        string dir = Path.Combine(_data, "models", "vendor");

        (int code, string output) = CliRunner.Run("classify-vendor", "--data", _data, "--unseen-vendors", "C", "--out", dir,
            "--size", "64", "--width", "4", "--epochs", "1", "--iterations", "3");

        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "volume accuracy");
        StringAssert.Contains(output, "of unseen C");
        using var model = MLCardiac.ML.CardiacModel.Load(dir);
        var classifier = model.VendorClassifier!;
        Assert.IsNull(model.Segmentation);
        CollectionAssert.AreEqual(new[] { "A", "B" }, classifier.Classifier.Vendors.ToArray());
        Assert.AreEqual(64, classifier.Preprocessing.Size);
        Assert.IsTrue(classifier.Classifier.Threshold is > 0 and <= 1);
    }

    [TestMethod]
    public void ClassifyVendor_TypeDenseNet_SavesADenseNetWithTheWidthAsGrowthRate()
    {
        string dir = Path.Combine(_data, "models", "vendor-densenet");

        (int code, string output) = CliRunner.Run("classify-vendor", "--data", _data, "--out", dir, "--type", "densenet",
            "--size", "64", "--width", "4", "--epochs", "1", "--iterations", "2");

        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "DenseNet classifier written to");
        using var model = MLCardiac.ML.CardiacModel.Load(dir);
        var network = (MLCardiac.Models.DenseNetClassifier)model.VendorClassifier!.Classifier.Network;
        Assert.AreEqual(4, network.Options.GrowthRate);
    }

    [TestMethod]
    public void ClassifyVendor_UnknownType_ExitCode1NamingTheValue()
    {
        (int code, string output) = CliRunner.Run("classify-vendor", "--data", _data, "--out", Path.Combine(_data, "models", "vgg"), "--type", "vgg");

        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "--type");
        StringAssert.Contains(output, "\"vgg\" is not one of resnet, densenet, inception");
    }

    [TestMethod]
    public void DataInspect_SyntheticDataset_ListsVendorsAndExitsZero()
    {
        (int code, string output) = CliRunner.Run("data", "inspect", _data);

        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "M&Ms dataset");
        StringAssert.Contains(output, "9 usable subjects; 0 unusable");
    }

    [TestMethod]
    public void DataInspect_SubjectWithoutMetadataRow_ExitCode1ListingIt()
    {
        string broken = Path.Combine(Path.GetTempPath(), "mlcardiac-broken-" + Guid.NewGuid().ToString("N"));
        try
        {
            string extra = Path.Combine(broken, "Training", "Labeled", "ZZZ999");
            Directory.CreateDirectory(extra);
            File.Copy(Directory.GetFiles(_data, "*.csv")[0], Path.Combine(broken, "meta.csv"));
            File.WriteAllText(Path.Combine(extra, "ZZZ999_sa.nii.gz"), "not a NIfTI file");

            (int code, string output) = CliRunner.Run("data", "inspect", broken);

            Assert.AreEqual(1, code, output);
            StringAssert.Contains(output, "ZZZ999: has no row in the metadata CSV");
        }
        finally
        {
            Directory.Delete(broken, recursive: true);
        }
    }

    [TestMethod]
    public void Train_UnknownModel_FailsNamingTheChoices()
    {
        (int code, string output) = CliRunner.Run("train", "--data", _data, "--model", "transformer", "--out", Path.Combine(_data, "models", "t"));

        Assert.AreNotEqual(0, code);
        StringAssert.Contains(output, "--model must be one of unet, unet2d, unet3d, vnet, dann (was \"transformer\")");
    }

    [TestMethod]
    public void Train_UnknownVendor_ExitCode1NamingIt()
    {
        (int code, string output) = CliRunner.Run("train", "--data", _data, "--train-vendors", "Z", "--out", Path.Combine(_data, "models", "z"));

        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "\"Z\"");
    }
}
