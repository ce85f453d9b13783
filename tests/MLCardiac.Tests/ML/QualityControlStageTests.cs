using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Tests.Cli;
using MLCardiac.Tests.Data;
using MLCardiac.Training;

namespace MLCardiac.Tests.ML;

/// <summary>
/// The QualityControl stage as users meet it: columns of the fitted chain, saved in and read back from the model file,
/// a shift score that tells a strongly shifted scanner from the training one, and <c>predict</c>'s JSON sidecar.
/// One tiny pipeline (vendor A, 64×64 at 2.5 mm) is fitted for the class.
/// </summary>
[TestClass]
public sealed class QualityControlStageTests
{
    private static string _dir = "";
    private static string _modelFile = "";
    private static DatasetIndex _index = null!;
    private static List<CaseRecord> _heldOut = [];
    private static readonly PreprocessingOptions Prep = new() { Size = 64, SpacingMm = 2.5 };

    [ClassInitialize]
    public static void Fit(TestContext _)
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlcardiac-qc-" + Guid.NewGuid().ToString("N"));
        string data = Path.Combine(_dir, "data");
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(data, new SyntheticDatasetRequest { Vendors = [VendorProfiles.A], SubjectsPerVendor = 9 });
        _index = MnmsLayout.Load(data);
        string[] subjects = [.. _index.Records.Select(r => r.Subject).Distinct().Order(StringComparer.Ordinal)];
        var train = _index.Records.Where(r => Array.IndexOf(subjects, r.Subject) < 5).ToList();
        var validation = _index.Records.Where(r => Array.IndexOf(subjects, r.Subject) is 5 or 6).ToList();
        _heldOut = [.. _index.Records.Where(r => Array.IndexOf(subjects, r.Subject) >= 7)];
        var cardiac = new MLContext(5).CardiacSegmentation();
        var options = new SegmentationPipelineOptions
        {
            Preprocessing = Prep,
            Trainer = new SegmentationTrainerOptions { Network = new UNetOptions { BaseFilters = 8, Depth = 3 }, Epochs = 4, IterationsPerEpoch = 20, BatchSize = 8, LearningRate = 3e-3, Seed = 5, TrainVendors = ["A"] },
            QualityControl = new QualityControlOptions { Degradations = 2 },
        };
        IDataView trainRows = cardiac.Data.FromRecords(train);
        var chain = cardiac.FitPipeline(options, trainRows, cardiac.Data.FromRecords(validation));
        _modelFile = Path.Combine(_dir, "model", CardiacModel.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(_modelFile)!);
        try
        {
            Assert.IsInstanceOfType<QualityControlTransformer>(chain.LastTransformer);
            cardiac.SaveModel(chain, trainRows.Schema, _modelFile);
            InMemory = Columns(chain.Transform(cardiac.Data.FromRecords(_heldOut)));
        }
        finally
        {
            foreach (var stage in chain.OfType<IDisposable>()) stage.Dispose();
        }
    }

    private static List<(float Score, bool Shifted, float[] Dice, float[] Low, float[] High, bool Flagged, string[] Reasons)> InMemory { get; set; } = [];

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static List<(float, bool, float[], float[], float[], bool, string[])> Columns(IDataView data)
    {
        var rows = new List<(float, bool, float[], float[], float[], bool, string[])>();
        using var cursor = data.GetRowCursor(data.Schema.Where(c => c.Name is CardiacColumnNames.ShiftScore or CardiacColumnNames.ShiftDetected or CardiacColumnNames.PredictedDice
            or CardiacColumnNames.PredictedDiceLow or CardiacColumnNames.PredictedDiceHigh or CardiacColumnNames.QcFlagged or CardiacColumnNames.QcReasons));
        var score = cursor.GetGetter<float>(data.Schema[CardiacColumnNames.ShiftScore]);
        var shifted = cursor.GetGetter<bool>(data.Schema[CardiacColumnNames.ShiftDetected]);
        var flagged = cursor.GetGetter<bool>(data.Schema[CardiacColumnNames.QcFlagged]);
        var dice = ColumnAccess.Vector<float>(cursor, CardiacColumnNames.PredictedDice);
        var low = ColumnAccess.Vector<float>(cursor, CardiacColumnNames.PredictedDiceLow);
        var high = ColumnAccess.Vector<float>(cursor, CardiacColumnNames.PredictedDiceHigh);
        var reasons = ColumnAccess.Vector<ReadOnlyMemory<char>>(cursor, CardiacColumnNames.QcReasons);
        while (cursor.MoveNext())
        {
            float s = 0;
            bool sh = false, fl = false;
            score(ref s);
            shifted(ref sh);
            flagged(ref fl);
            rows.Add((s, sh, dice(), low(), high(), fl, [.. reasons().Select(r => r.ToString())]));
        }
        return rows;
    }

    [TestMethod]
    public void TheStageIsSavedInTheModelFileAndGivesTheSameColumnsWhenLoaded()
    {
        var cardiac = new MLContext(5).CardiacSegmentation();
        var loaded = cardiac.LoadModel(_modelFile, out _);
        try
        {
            var output = loaded.Transform(cardiac.Data.FromRecords(_heldOut));
            var slots = default(VBuffer<ReadOnlyMemory<char>>);
            output.Schema[CardiacColumnNames.PredictedDice].GetSlotNames(ref slots);
            CollectionAssert.AreEqual(new[] { "LV", "MYO", "RV" }, slots.DenseValues().Select(s => s.ToString()).ToArray());
            var back = Columns(output);
            Assert.HasCount(InMemory.Count, back);
            for (int i = 0; i < back.Count; i++)
            {
                Assert.AreEqual(InMemory[i].Score, back[i].Item1, 1e-4f * Math.Max(1, InMemory[i].Score));
                CollectionAssert.AreEqual(InMemory[i].Dice, back[i].Item3);
                Assert.AreEqual(InMemory[i].Flagged, back[i].Item6);
                CollectionAssert.AreEqual(InMemory[i].Reasons, back[i].Item7);
                for (int k = 0; k < 3; k++)
                    Assert.IsTrue(back[i].Item4[k] <= back[i].Item3[k] && back[i].Item3[k] <= back[i].Item5[k], "interval holds the prediction");
                Assert.AreEqual(back[i].Item6, back[i].Item7.Length > 0, "flagged exactly when there is a reason");
            }
        }
        finally
        {
            foreach (var stage in loaded.OfType<IDisposable>()) stage.Dispose();
        }
    }

    /// <summary>
    /// A scanner unlike the training one — vendor A's held-out scans with the contrast inverted and a steep gamma, as a
    /// dark-blood sequence would give — lies far beyond the threshold; the same scans as acquired do not.
    /// </summary>
    [TestMethod]
    public void TheShiftScoreSeparatesAStronglyShiftedVendor()
    {
        using CardiacModel model = CardiacModel.Load(_modelFile, SegmentationBackend.TorchSharp);
        QualityControlTransformer qc = model.QualityControl ?? throw new AssertFailedException("no QualityControl stage in the model file");
        var asAcquired = new List<double>();
        var shifted = new List<double>();
        foreach (CaseRecord r in _index.Records.Where(r => _heldOut.Any(h => h.Subject == r.Subject) && r.Role == FrameRole.ED))
        {
            Volume image = NiftiReader.Read(r.ImagePath);
            Volume labels = model.Segmentation!.Model.Segment(image, r.ImageFrame);
            asAcquired.Add(qc.Assess(image, r.ImageFrame, labels.Data).ShiftScore);
            float[] frame = image.Frame(r.ImageFrame).ToArray();
            float max = frame.Max();
            float[] other = [.. frame.Select(v => MathF.Pow(Math.Max(0, max - v) / max, 3) * max)];
            var shiftedImage = new Volume(other, [image.SizeX, image.SizeY, image.SizeZ], image.SpacingMm, image.VoxelToWorld);
            shifted.Add(qc.Assess(shiftedImage, 0, model.Segmentation.Model.Segment(shiftedImage, 0).Data).ShiftScore);
        }
        Assert.HasCount(2, shifted);
        double threshold = qc.Assessor.Threshold;
        Assert.IsTrue(shifted.All(s => s > threshold), $"shifted {string.Join(", ", shifted)}; threshold {threshold}");
        Assert.IsTrue(shifted.Min() > asAcquired.Max(), $"shifted {string.Join(", ", shifted)}; as acquired {string.Join(", ", asAcquired)}");
    }

    [TestMethod]
    public void PredictWritesAQualitySidecarWithoutTheInputsNameOrHeader()
    {
        CaseRecord r = _heldOut.First(r => r.Role == FrameRole.ED);
        string image = Path.Combine(_dir, "patient-jane-doe.nii.gz");
        File.Copy(r.ImagePath, image, overwrite: true);
        string output = Path.Combine(_dir, "out", "labels.nii.gz");

        var (code, text) = CliRunner.Run("predict", image, "--model", Path.GetDirectoryName(_modelFile)!, "--out", output, "--frame", r.ImageFrame.ToString(System.Globalization.CultureInfo.InvariantCulture), "--backend", "torchsharp");

        Assert.AreEqual(0, code, text);
        string sidecar = Path.Combine(_dir, "out", "labels.quality.json");
        Assert.IsTrue(File.Exists(sidecar), text);
        string json = File.ReadAllText(sidecar);
        Assert.DoesNotContain("jane", json, "the input's name never reaches the sidecar");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.AreEqual(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.IsTrue(root.GetProperty("qualityControl").GetBoolean());
        var frame = root.GetProperty("frames").EnumerateArray().Single();
        Assert.AreEqual(r.ImageFrame, frame.GetProperty("index").GetInt32());
        foreach (string s in new[] { "LV", "MYO", "RV" })
        {
            var d = frame.GetProperty("predictedDice").GetProperty(s);
            Assert.IsTrue(d.GetProperty("low").GetDouble() <= d.GetProperty("predicted").GetDouble() && d.GetProperty("predicted").GetDouble() <= d.GetProperty("high").GetDouble());
        }
        Assert.AreEqual(frame.GetProperty("flagged").GetBoolean(), frame.GetProperty("reasons").GetArrayLength() > 0);
        Assert.IsGreaterThan(0.0, frame.GetProperty("shiftThreshold").GetDouble());
        StringAssert.Contains(text, "predicted Dice LV");
    }
}
