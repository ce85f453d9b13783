using MLCardiac.Tests.Support;
using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Augmentation;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.ML;
using MLCardiac.Training;
using MLCardiac.Models;
using MLCardiac.Tests.Data;

namespace MLCardiac.Tests.ML;

/// <summary>Output of a <c>PredictionEngine</c>.</summary>
public sealed class CaseOutput
{
    /// <summary>Labels on the image grid.</summary>
    public byte[] PredictedLabel { get; set; } = [];
    /// <summary>Predicted vendor.</summary>
    public string PredictedVendor { get; set; } = "";
    /// <summary>Vendor probabilities.</summary>
    public float[] VendorScore { get; set; } = [];
}

/// <summary>
/// The ML.NET catalog end to end on a small synthetic multi-vendor dataset (64×64 slices at 2.5 mm): the issue's
/// pipeline (LoadNifti → Preprocess → Augment → DANN → VendorClassifier) is fitted once for the class and shared.
/// </summary>
[TestClass]
public sealed class CardiacPipelineTests
{
    private static string _root = "";
    private static string _data = "";
    private static MLContext _ml = null!;
    private static CardiacSegmentationCatalog _cardiac = null!;
    private static IDataView _cases = null!, _train = null!, _test = null!;
    private static TransformerChain<VendorClassifierTransformer> _model = null!;
    private static SegmentationMetrics _metrics = null!;
    private static double _fitSeconds;

    [ClassInitialize]
    public static void Fit(TestContext context)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-mlnet-" + Guid.NewGuid().ToString("N"));
        _data = Path.Combine(_root, "data");
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(_data, new SyntheticDatasetRequest
        {
            Vendors = [VendorProfiles.A, VendorProfiles.B, VendorProfiles.C],
            UnlabeledVendors = [VendorProfiles.C],
            SubjectsPerVendor = 3,
            UnlabeledPerVendor = 2,
        });
        _ml = new MLContext(seed: 1);
        _cardiac = _ml.CardiacSegmentation();
        _cases = _cardiac.Data.FromDirectory(_data);
        (_train, _test) = _cardiac.Data.SplitByVendor(_cases, trainVendors: ["A", "B"], targetVendors: ["C"], heldOutFraction: 0.34, seed: 3);
        var clock = Stopwatch.StartNew();
        _model = Pipeline().Fit(_train);
        _fitSeconds = clock.Elapsed.TotalSeconds;
        _metrics = _cardiac.Evaluate(_model.Transform(_test));
        context.WriteLine($"fit {_fitSeconds:F0} s, fit + evaluate {clock.Elapsed.TotalSeconds:F0} s");
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        foreach (var stage in _model ?? Enumerable.Empty<ITransformer>()) (stage as IDisposable)?.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static EstimatorChain<VendorClassifierTransformer> Pipeline() =>
        _cardiac.Transforms.LoadNifti()
            .Append(_cardiac.Transforms.Preprocess(spacingMm: 2.5, size: 64))
            .Append(_cardiac.Transforms.Augment(AugmentationPreset.Standard))
            .Append(_cardiac.Trainers.Dann(new DannOptions { TargetVendors = ["C"], MaxLambda = 0.3, HiddenFeatures = 16 }, new SegmentationTrainerOptions
            {
                Network = new UNetOptions { BaseFilters = 8, Depth = 3 },
                Epochs = 5, IterationsPerEpoch = 16, BatchSize = 8, LearningRate = 3e-3, Seed = 5,
            }))
            .Append(_cardiac.Trainers.VendorClassifier(new VendorClassifierOptions
            {
                Network = new ResNetOptions { BaseWidth = 8, BlocksPerStage = [1, 1, 1] },
                Epochs = 2, IterationsPerEpoch = 8, BatchSize = 16, LearningRate = 3e-3, Seed = 2,
            }));

    private static string TempFile(string name)
    {
        string dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name);
    }

    private static List<T> Column<T>(IDataView data, string name)
    {
        var list = new List<T>();
        using var cursor = data.GetRowCursor([data.Schema[name]]);
        var getter = cursor.GetGetter<T>(data.Schema[name]);
        while (cursor.MoveNext())
        {
            T value = default!;
            getter(ref value);
            list.Add(value);
        }
        return list;
    }

    private static List<T[]> VectorColumn<T>(IDataView data, string name) =>
        Column<VBuffer<T>>(data, name).Select(v => v.DenseValues().ToArray()).ToList();

    [TestMethod]
    public void FromDirectory_SyntheticDataset_OneRowPerSubjectAndFrameWithCaseColumns()
    {
        var records = DatasetLayouts.Load(_data).Records;

        Assert.AreEqual(records.Count, _cases.GetRowCount());
        CollectionAssert.AreEqual(records.Select(r => r.Subject).ToArray(), Column<ReadOnlyMemory<char>>(_cases, CardiacColumnNames.Subject).Select(s => s.ToString()).ToArray());
        CollectionAssert.AreEqual(records.Select(r => r.IsLabeled).ToArray(), Column<bool>(_cases, CardiacColumnNames.Labeled).ToArray());
        Assert.IsNull(_cases.Schema.GetColumnOrNull(CardiacColumnNames.Image), "the case view holds no volumes");
    }

    [TestMethod]
    public void SplitByVendor_TargetVendor_NoSubjectOnBothSidesAndTargetLabelsOnlyInTest()
    {
        var train = _cardiac.Data.Records(_train);
        var test = _cardiac.Data.Records(_test);

        CollectionAssert.AreEqual(Array.Empty<string>(), train.Select(r => r.Subject).Intersect(test.Select(r => r.Subject)).ToArray());
        Assert.IsTrue(train.Where(r => r.Vendor == "C").All(r => !r.IsLabeled) && train.Any(r => r.Vendor == "C"), "unlabeled C subjects train DANN");
        Assert.IsTrue(test.All(r => r.IsLabeled));
        CollectionAssert.AreEquivalent(new[] { "A", "B", "C" }, test.Select(r => r.Vendor).Distinct().ToArray(), "held-out seen subjects and the unseen vendor");
        var all = DatasetLayouts.Load(_data).Records;
        Assert.AreEqual(all.Count(r => r.IsLabeled || r.Vendor == "C"), train.Count + test.Count, "every labeled row and every target row is used once");
    }

    [TestMethod]
    public void GetOutputSchema_WholeChain_DeclaresEveryColumnWithDimensions()
    {
        // Starting from the shape EstimatorChain.Fit derives from the data.
        SchemaShape shape = Pipeline().GetOutputSchema(ColumnAccess.ShapeOf(_cases.Schema));
        var names = shape.Select(c => c.Name).ToHashSet();
        foreach (string name in new[] { CardiacColumnNames.Image, CardiacColumnNames.Slices, CardiacColumnNames.LabelSlices, CardiacColumnNames.PredictedLabel,
                     CardiacColumnNames.PredictedVendor, CardiacColumnNames.VendorScore, CardiacColumnNames.UnfamiliarScanner, CardiacColumnNames.Subject })
            Assert.Contains(name, names);

        DataViewSchema fitted = _model.GetOutputSchema(_cases.Schema);
        var slices = (VectorDataViewType)fitted[CardiacColumnNames.Slices].Type;
        CollectionAssert.AreEqual(new[] { 0, 64, 64 }, slices.Dimensions.ToArray());
        Assert.AreEqual(3, ((VectorDataViewType)fitted[CardiacColumnNames.VendorScore].Type).Size, "one score per known vendor A, B, C");
        Assert.AreEqual(NumberDataViewType.Byte, ((VectorDataViewType)fitted[CardiacColumnNames.PredictedLabel].Type).ItemType);
    }

    [TestMethod]
    public void GetOutputSchema_PreprocessWithoutLoader_NamesTheMissingColumn()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _cardiac.Transforms.Preprocess(2.5, 64).Fit(_cases));

        StringAssert.Contains(e.Message, "'Image'");
    }

    [TestMethod]
    public void Augment_Transform_PassesSlicesThroughUnchangedAndAnnotatesThem()
    {
        IDataView preprocessed = new TransformerChain<ITransformer>(_model.Take(2).ToArray()).Transform(_test);
        var augment = (AugmentationTransformer)_model.ElementAt(2);

        IDataView augmented = augment.Transform(preprocessed);

        var before = VectorColumn<float>(preprocessed, CardiacColumnNames.Slices);
        var after = VectorColumn<float>(augmented, CardiacColumnNames.Slices);
        Assert.HasCount(before.Count, after);
        for (int i = 0; i < before.Count; i++) CollectionAssert.AreEqual(before[i], after[i]);
        ReadOnlyMemory<char> preset = default;
        augmented.Schema[CardiacColumnNames.Slices].Annotations.GetValue(CardiacColumnNames.AugmentationAnnotation, ref preset);
        Assert.AreEqual(new MLCardiac.Augmentation.AugmentationOptions { Name = "standard" }, System.Text.Json.JsonSerializer.Deserialize<MLCardiac.Augmentation.AugmentationOptions>(preset.ToString()));
    }

    [TestMethod]
    public void Fit_SmallDannChain_LearnsToSegmentTheSeenVendors()
    {
        Assert.IsNotNull(_metrics.Seen);
        // An untrained network scores ~0; this budget (80 steps) reaches about LV 0.8, MYO 0.65, RV 0.8 on the seen vendors.
        Assert.IsGreaterThanOrEqualTo(0.7, _metrics.Seen.Lv.Dice.Mean, Report());
        Assert.IsGreaterThanOrEqualTo(0.65, _metrics.Seen.Rv.Dice.Mean, Report());
        Assert.IsGreaterThanOrEqualTo(0.5, _metrics.Seen.Myo.Dice.Mean, Report());
        CollectionAssert.AreEqual(new[] { "A", "B" }, _metrics.TrainVendors.ToArray());
        CollectionAssert.AreEqual(new[] { "C" }, _metrics.TargetVendors.ToArray());
        Assert.AreEqual("target", _metrics.Vendors.Single(v => v.Vendor == "C").Role);
        Console.WriteLine($"fit {_fitSeconds:F0} s; {Report()}");
    }

    private static string Report() => string.Join("; ", _metrics.Vendors.Select(v => $"{v.Vendor} ({v.Role}, {v.Cases} cases): Dice LV {v.Lv.Dice.Mean:F3} MYO {v.Myo.Dice.Mean:F3} RV {v.Rv.Dice.Mean:F3}"));

    [TestMethod]
    public void Evaluate_SamePredictions_EqualsCaseEvaluator()
    {
        var segmentation = _model.OfType<SegmentationTransformer>().Single();
        var records = _cardiac.Data.Records(_test);

        // The pipeline segments each row's frame as a volume of its own: give CaseEvaluator the same input.
        var expected = CaseEvaluator.Evaluate((image, frame) =>
            segmentation.Model.Segment(new Volume(image.Frame(frame).ToArray(), [image.SizeX, image.SizeY, image.SizeZ], image.SpacingMm), 0), records);

        Assert.HasCount(expected.Count, _metrics.Cases);
        var byKey = _metrics.Cases.ToDictionary(c => (c.Record.Subject, c.Record.Role));
        foreach (var e in expected)
        {
            var actual = byKey[(e.Record.Subject, e.Record.Role)];
            for (int s = 0; s < 3; s++) Assert.AreEqual(e.Structures[s], actual.Structures[s], $"{e.Record.Subject} {e.Record.Role} structure {s + 1}");
        }
        var cVendor = VendorSummary.From("C", "target", expected.Where(c => c.Record.Vendor == "C").ToList());
        Assert.AreEqual(cVendor.Lv.Dice, _metrics.Vendors.Single(v => v.Vendor == "C").Lv.Dice);
    }

    [TestMethod]
    public void SaveModel_ThenLoadModel_GivesBitIdenticalPredictions()
    {
        string path = TempFile("dann.zip");
        _cardiac.SaveModel(_model, _train.Schema, path);

        var loaded = _cardiac.LoadModel(path, out DataViewSchema schema);
        try
        {
            CollectionAssert.AreEqual(_train.Schema.Select(c => (c.Name, c.Type)).ToArray(), schema.Select(c => (c.Name, c.Type)).ToArray());
            CollectionAssert.AreEqual(_model.Select(t => t.GetType()).ToArray(), loaded.Select(t => t.GetType()).ToArray());
            // One row per test subject: every vendor, both networks.
            IDataView rows = _cardiac.Data.FromRecords(_cardiac.Data.Records(_test).DistinctBy(r => r.Subject));
            var (labelsA, scoresA) = Predictions(_model.Transform(rows));
            var (labelsB, scoresB) = Predictions(loaded.Transform(rows));
            Assert.HasCount(labelsA.Count, labelsB);
            for (int i = 0; i < labelsA.Count; i++)
            {
                CollectionAssert.AreEqual(labelsA[i], labelsB[i], $"row {i}");
                CollectionAssert.AreEqual(scoresA[i], scoresB[i], $"row {i}");
            }
            Assert.AreEqual(1, Directory.GetFiles(Path.GetDirectoryName(path)!).Length, "no temporary file left beside the model");
        }
        finally
        {
            foreach (var stage in loaded) (stage as IDisposable)?.Dispose();
        }
    }

    /// <summary>PredictedLabel and VendorScore of every row, in one pass (each pass reads and segments every volume).</summary>
    private static (List<byte[]> Labels, List<float[]> Scores) Predictions(IDataView data)
    {
        var labels = new List<byte[]>();
        var scores = new List<float[]>();
        using var cursor = data.GetRowCursor([data.Schema[CardiacColumnNames.PredictedLabel], data.Schema[CardiacColumnNames.VendorScore]]);
        var getLabels = cursor.GetGetter<VBuffer<byte>>(data.Schema[CardiacColumnNames.PredictedLabel]);
        var getScores = cursor.GetGetter<VBuffer<float>>(data.Schema[CardiacColumnNames.VendorScore]);
        VBuffer<byte> l = default;
        VBuffer<float> v = default;
        while (cursor.MoveNext())
        {
            getLabels(ref l);
            getScores(ref v);
            labels.Add(l.DenseValues().ToArray());
            scores.Add(v.DenseValues().ToArray());
        }
        return (labels, scores);
    }

    private static string SavedCopy(Action<ZipArchive> edit)
    {
        string path = TempFile("model.zip");
        _cardiac.SaveModel(_model, _train.Schema, path);
        // Edited as a zip tool would: the file-level SHA-256 in the archive comment no longer applies and is dropped, so these
        // tests reach the per-entry checks behind it (ModelFileDamageTests covers the file-level one).
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            edit(zip);
            zip.Comment = "";
        }
        return path;
    }

    private static void Replace(ZipArchive zip, string name, Func<byte[], byte[]> change)
    {
        var entry = zip.GetEntry(name)!;
        byte[] bytes;
        using (var s = entry.Open()) { using var ms = new MemoryStream(); s.CopyTo(ms); bytes = ms.ToArray(); }
        entry.Delete();
        using var w = zip.CreateEntry(name).Open();
        w.Write(change(bytes));
    }

    private static string WeightsEntry(ZipArchive zip) => zip.Entries.Select(e => e.FullName).First(n => n.EndsWith("-segmentation.weights", StringComparison.Ordinal));

    [TestMethod]
    public void LoadModel_OtherFormatVersion_FailsNamingFileAndEntry()
    {
        string path = SavedCopy(zip => Replace(zip, "mlcardiac-pipeline.json",
            b => System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(b).Replace("\"formatVersion\": 1", "\"formatVersion\": 99", StringComparison.Ordinal))));

        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));

        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "mlcardiac-pipeline.json");
        StringAssert.Contains(e.Message, "version 99");
    }

    [TestMethod]
    public void LoadModel_MissingWeightsEntry_FailsNamingFileAndEntry()
    {
        string entry = "";
        string path = SavedCopy(zip => { entry = WeightsEntry(zip); zip.GetEntry(entry)!.Delete(); });

        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));

        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, $"'{entry}'");
        StringAssert.Contains(e.Message, "missing");
    }

    [TestMethod]
    public void LoadModel_CorruptWeightsEntry_FailsNamingFileAndEntry()
    {
        string entry = "";
        string path = SavedCopy(zip =>
        {
            entry = WeightsEntry(zip);
            Replace(zip, entry, b => { b[b.Length / 2] ^= 0x5A; return b; });
        });

        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));

        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, $"'{entry}'");
        StringAssert.Contains(e.Message, "corrupt");
    }

    [TestMethod]
    [DataRow("../evil.bin")]
    [DataRow("stages/../../evil.bin")]
    [DataRow("/tmp/evil.bin")]
    [DataRow("..\\evil.bin")]
    [DataRow("C:/evil.bin")]
    public void LoadModel_UnsafeEntryName_RejectedAndNothingWrittenOutside(string name)
    {
        string path = SavedCopy(zip => { using var w = zip.CreateEntry(name).Open(); w.Write([1, 2, 3]); });
        string parent = Path.GetDirectoryName(Path.GetDirectoryName(path)!)!;
        var before = Directory.GetFileSystemEntries(parent, "*", SearchOption.AllDirectories).Length;

        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));

        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "unsafe");
        Assert.AreEqual(before, Directory.GetFileSystemEntries(parent, "*", SearchOption.AllDirectories).Length);
        Assert.IsFalse(File.Exists("/tmp/evil.bin") || File.Exists(Path.Combine(parent, "evil.bin")));
    }

    [TestMethod]
    public void LoadModel_NotAZip_FailsNamingTheFile()
    {
        string path = TempFile("model.zip");
        File.WriteAllText(path, "not a model");

        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.LoadModel(path, out _));

        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void PredictionEngine_ImagePath_PredictsWhatTransformPredicts()
    {
        var rows = _cardiac.Data.Records(_test).Take(2).ToArray();
        var batch = _model.Transform(_cardiac.Data.FromRecords(rows));
        var expectedLabels = VectorColumn<byte>(batch, CardiacColumnNames.PredictedLabel);
        var expectedVendors = Column<ReadOnlyMemory<char>>(batch, CardiacColumnNames.PredictedVendor).Select(v => v.ToString()).ToList();

        using var engine = _ml.Model.CreatePredictionEngine<CaseInput, CaseOutput>(_model, new PredictionEngineOptions { OwnsTransformer = false });
        for (int i = 0; i < rows.Length; i++)
        {
            CaseOutput output = engine.Predict(new CaseInput { ImagePath = rows[i].ImagePath, ImageFrame = rows[i].ImageFrame });
            CollectionAssert.AreEqual(expectedLabels[i], output.PredictedLabel, $"row {i}");
            Assert.AreEqual(expectedVendors[i], output.PredictedVendor);
            Assert.HasCount(3, output.VendorScore);
        }
        Assert.IsFalse(expectedLabels[0].SequenceEqual(expectedLabels[1]), "two different cases give two different label maps");
    }

    [TestMethod]
    public void PredictionEngine_VolumeInMemory_PredictsWhatTheFileGives()
    {
        var row = _cardiac.Data.Records(_test)[0];
        Volume image = NiftiReader.Read(row.ImagePath);
        var expected = VectorColumn<byte>(_model.Transform(_cardiac.Data.FromRecords([row])), CardiacColumnNames.PredictedLabel).Single();

        using var engine = _ml.Model.CreatePredictionEngine<VolumeInput, CaseOutput>(_cardiac.WithoutLoader(_model), new PredictionEngineOptions { OwnsTransformer = false });
        var s = image.SpacingMm;
        CaseOutput output = engine.Predict(new VolumeInput
        {
            Image = image.Frame(row.ImageFrame).ToArray(),
            ImageShape = [image.SizeX, image.SizeY, image.SizeZ],
            SpacingMm = [(float)s.X, (float)s.Y, (float)s.Z],
        });

        CollectionAssert.AreEqual(expected, output.PredictedLabel);
        Assert.IsGreaterThan(0, output.PredictedLabel.Count(v => v == 1), "the LV is found");
    }

    [TestMethod]
    public void MlNetModelSave_CardiacStages_FailsWithAClearMessage()
    {
        string path = TempFile("mlnet.zip");

        var e = Assert.Throws<Exception>(() => _ml.Model.Save(_model, _train.Schema, path));

        StringAssert.Contains(e.ToString(), "CardiacSegmentation().SaveModel");
    }
}
