using System.Text.Json.Nodes;
using MLCardiac.Evaluation;
using MLCardiac.Experiments;
using MLCardiac.Imaging;
using MLCardiac.Reports;
using MLCardiac.Training;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Inference;

/// <summary>
/// nnU-Net's post-processing step: the largest-component filter per structure, decided on validation predictions, kept
/// in the model file and in exported ONNX, and applied only to the chosen structures.
/// </summary>
[TestClass]
public sealed class PostProcessingChoiceTests
{
    private const int N = 16, Z = 2;

    /// <summary>Labels [Z, N, N]: an LV block, a MYO block, and for the RV two separate blocks (one structure in two pieces).</summary>
    private static byte[] Reference()
    {
        var labels = new byte[Z * N * N];
        for (int z = 0; z < Z; z++)
            for (int y = 0; y < N; y++)
                for (int x = 0; x < N; x++)
                {
                    byte v = x is >= 2 and < 6 && y is >= 2 and < 6 ? (byte)1
                        : x is >= 8 and < 12 && y is >= 2 and < 6 ? (byte)2
                        : (x is >= 2 and < 5 || x is >= 10 and < 13) && y is >= 10 and < 13 ? (byte)3 : (byte)0;
                    labels[(z * N + y) * N + x] = v;
                }
        return labels;
    }

    [TestMethod]
    public void Decide_StrayIslandsOff_WhereTheFilterHelps_OffWhereTheReferenceIsInPieces_OnForATie()
    {
        byte[] reference = Reference();
        byte[] predicted = (byte[])reference.Clone();
        predicted[(0 * N + 14) * N + 14] = 1;              // a stray LV voxel: the filter removes it, Dice rises
        var cases = new List<(byte[], byte[], int, int)> { (predicted, reference, N, N), (reference, reference, N, N) };

        PostProcessingChoice choice = PostProcessingChoice.Decide(cases);

        var lv = choice.Structures.Single(s => s.Label == 1);
        var myo = choice.Structures.Single(s => s.Label == 2);
        var rv = choice.Structures.Single(s => s.Label == 3);
        Assert.IsTrue(lv.Applied);
        Assert.IsGreaterThan(lv.DiceWithout, lv.DiceWith, "the stray voxel cost Dice; the filter won it back");
        Assert.IsTrue(myo.Applied, "a tie (nothing to remove) keeps the filter");
        Assert.AreEqual(myo.DiceWithout, myo.DiceWith);
        Assert.IsFalse(rv.Applied, "the RV is in two pieces in the references: keeping one loses the other");
        Assert.IsLessThan(rv.DiceWithout, rv.DiceWith);
        CollectionAssert.AreEqual(new[] { 1, 2 }, choice.LargestComponentLabels.ToArray());
        Assert.AreEqual(2, lv.Cases);
        StringAssert.Contains(choice.Describe(), "RV off");
    }

    [TestMethod]
    public void Segmenter_AppliesTheFilterOnlyToTheChosenStructures()
    {
        var labels = new float[Z * N * N];
        foreach (int c in new[] { 1, 3 })
        {
            labels[(0 * N + 1) * N + (c == 1 ? 1 : 9)] = c;    // two separate voxels of each structure: 2 components
            labels[(1 * N + 9) * N + (c == 1 ? 14 : 4)] = c;
            for (int x = 0; x < 3; x++) labels[(1 * N + 5) * N + x + (c == 1 ? 0 : 8)] = c; // and a larger piece
        }
        float[] all = (float[])labels.Clone(), onlyRv = (float[])labels.Clone();

        LargestComponent.Apply(all, N, N, Z);
        LargestComponent.Apply(onlyRv, N, N, Z, only: [3]);

        Assert.AreEqual(3, all.Count(v => v == 1));
        Assert.AreEqual(3, all.Count(v => v == 3));
        Assert.AreEqual(5, onlyRv.Count(v => v == 1), "LV untouched");
        Assert.AreEqual(3, onlyRv.Count(v => v == 3), "RV filtered");
    }

    [TestMethod]
    public void ModelFile_AndOnnxExport_KeepTheChoice()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var network = new UNet2d(new UNetOptions { BaseFilters = 4, Depth = 2 });
        var description = new ModelDescription { Network = network.Options, Preprocessing = new PreprocessingOptions { Size = 32, SpacingMm = 2.5 }, TrainVendors = ["A"] };
        var model = SegmentationModel.FromNetwork(network, description);
        model.SetLargestComponentLabels([1, 3]);
        using var transformer = new SegmentationTransformer(model, mirrorTta: false);
        ICardiacStage stage = transformer;

        JsonObject settings = stage.SaveSettings();
        using SegmentationTransformer loaded = SegmentationTransformer.Load(JsonNode.Parse(settings.ToJsonString())!.AsObject(), stage.SaveWeights()!);

        CollectionAssert.AreEqual(new[] { 1, 3 }, loaded.Model.Description.LargestComponentLabels!.ToArray());
        CollectionAssert.AreEqual(new[] { 1, 3 }, loaded.Model.Segmenter.LargestComponentLabels!.ToArray());

        string onnx = Path.Combine(Path.GetTempPath(), $"mlcardiac-pp-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(onnx, MLCardiac.Onnx.OnnxExporter.ExportSegmentation(network, description.Preprocessing, largestComponentLabels: model.Description.LargestComponentLabels));
            using OnnxSegmentationModel fromOnnx = OnnxSegmentationModel.Load(onnx);
            CollectionAssert.AreEqual(new[] { 1, 3 }, fromOnnx.Segmenter.LargestComponentLabels!.ToArray(), "the exported file carries the choice");
        }
        finally
        {
            File.Delete(onnx);
        }
    }

    [TestMethod]
    public void OldModelDescription_WithoutTheChoice_FiltersEveryStructure()
    {
        var description = System.Text.Json.JsonSerializer.Deserialize<ModelDescription>("""{"SchemaVersion":1,"Kind":"unet2d"}""")!;

        Assert.IsNull(description.LargestComponentLabels, "files written before the choice: null, which the segmenter reads as every structure");
        var labels = new float[] { 1, 0, 1, 0, 3, 0, 3 };
        LargestComponent.Apply(labels, 7, 1, 1, only: description.LargestComponentLabels);
        Assert.AreEqual(1, labels.Count(v => v == 1));
        Assert.AreEqual(1, labels.Count(v => v == 3));
    }

    [TestMethod]
    public void Study_PutsTheChosenPostProcessingAgainstAlwaysOn_PerRole_InMetricsAndReport()
    {
        static OverlapMetrics O(double dice) => new(dice, 5, 3, 1, 100, 100);
        var cases = new List<CaseMetrics>();
        // Seen: the choice changes nothing. Unseen: RV left unfiltered costs 0.03 of RV Dice (0.01 of the mean) in half the cases.
        for (int s = 0; s < 6; s++)
        {
            cases.Add(new CaseMetrics($"A{s}", "A", null, "ED", "seen", O(0.9), O(0.8), O(0.85)) { DiceAlwaysFiltered = [0.9, 0.8, 0.85] });
            double rv = s % 2 == 0 ? 0.70 : 0.73;
            cases.Add(new CaseMetrics($"D{s}", "D", null, "ED", "unseen", O(0.85), O(0.75), O(rv)) { DiceAlwaysFiltered = [0.85, 0.75, 0.73] });
        }
        var arm = new ArmDefinition { Name = "baseline", Augmentation = "none", Model = new ModelDefinition(), Training = new TrainingBudget(), TrainVendors = ["A"], TargetVendors = [] };
        var choice = new PostProcessingChoice([new(1, 4, 0.91, 0.92, true), new(2, 4, 0.8, 0.8, true), new(3, 4, 0.86, 0.84, false)]);
        var results = new StudyResults
        {
            Experiment = new ExperimentDefinition { Id = "pp", Arms = [arm], BootstrapResamples = 200 },
            Arms = [new ArmRunResult { Arm = "baseline", Seed = 1, Definition = arm, Fingerprint = "x", History = [new EpochRecord(0, 1, null, null, null, 0.002, [0.9, 0.9, 0.9], 0.9, 1, 100)], BestEpoch = 0, Cases = cases, PostProcessing = choice }],
        };
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-pp-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            StudyMetrics metrics = ExperimentReport.Write(results, dir);

            var effects = metrics.Arms.Single().PostProcessingEffects.ToDictionary(e => e.Group);
            Assert.AreEqual(0.0, effects["seen"].DiceDelta.Mean, 1e-12);
            Assert.AreEqual(0, effects["seen"].CasesChanged);
            Assert.AreEqual(-0.01 / 2, effects["unseen"].DiceDelta.Mean, 1e-9, "half the unseen cases lose 0.03 / 3 of mean Dice");
            Assert.AreEqual(3, effects["unseen"].CasesChanged);
            Assert.IsLessThan(0, effects["unseen"].DiceDelta.Upper, "every resample holds losing cases");
            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            StringAssert.Contains(html, "Post-processing chosen on validation");
            StringAssert.Contains(html, "off (0.8600 → 0.8400)");
            StringAssert.Contains(html, "3 of 6");
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            Assert.AreEqual(3, json.RootElement.GetProperty("arms")[0].GetProperty("postProcessingEffects").EnumerateArray()
                .Single(e => e.GetProperty("group").GetString() == "unseen").GetProperty("casesChanged").GetInt32());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Merge_PoolsTheFoldsValidationCases_WeightedByCases_AndDecidesOnThePooledMeans()
    {
        // RV: fold 0 (6 cases) gains 0.02 with the filter, fold 1 (2 cases) loses 0.10: pooled, the filter loses 0.01 → off,
        // although one fold alone would keep it. LV: both folds keep it. MYO: absent from fold 1.
        var fold0 = new PostProcessingChoice([new(1, 6, 0.90, 0.91, true), new(2, 6, 0.80, 0.80, true), new(3, 6, 0.80, 0.82, true)]);
        var fold1 = new PostProcessingChoice([new(1, 2, 0.85, 0.85, true), new(2, 0, double.NaN, double.NaN, true), new(3, 2, 0.80, 0.70, false)]);

        PostProcessingChoice merged = PostProcessingChoice.Merge([fold0, fold1]);

        var rv = merged.Structures.Single(s => s.Label == 3);
        Assert.AreEqual(8, rv.Cases);
        Assert.AreEqual(0.80, rv.DiceWithout, 1e-12);
        Assert.AreEqual((6 * 0.82 + 2 * 0.70) / 8, rv.DiceWith, 1e-12);
        Assert.IsFalse(rv.Applied, "pooled, the filter lowers RV Dice");
        Assert.AreEqual(6, merged.Structures.Single(s => s.Label == 2).Cases, "a fold without the structure adds nothing");
        CollectionAssert.AreEqual(new[] { 1, 2 }, merged.LargestComponentLabels.ToArray());
        CollectionAssert.AreEqual(fold0.LargestComponentLabels.ToArray(), PostProcessingChoice.Merge([fold0]).LargestComponentLabels.ToArray(), "one fold: its own choice");
        Assert.ThrowsExactly<ArgumentException>(() => PostProcessingChoice.Merge([]));
    }
}
