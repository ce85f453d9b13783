using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Tests.Data;
using MLCardiac.Tests.Onnx;
using static TorchSharp.torch;

namespace MLCardiac.Tests.ML;

/// <summary>
/// Ensembles of segmentation networks (the fold models of a cross-validation): softmax averaged, one model file that
/// loads, predicts and exports like a single network's.
/// </summary>
[TestClass]
public sealed class EnsembleTests
{
    private static readonly PreprocessingOptions Preprocessing = new() { Size = 32, SpacingMm = 5 };

    private static TransformerChain<ITransformer> Member(UNetOptions options, int seed, string vendor)
    {
        var description = new ModelDescription { Network = options, Preprocessing = Preprocessing, Domains = [vendor], TrainVendors = [vendor] };
        return new TransformerChain<ITransformer>(new NiftiLoaderTransformer(), new SlicePreprocessingTransformer(Preprocessing, null),
            new SegmentationTransformer(SegmentationModel.FromNetwork(OnnxTestNetworks.UNet(options, seed), description), mirrorTta: false));
    }

    private static void Dispose(IEnumerable<ITransformer> chain)
    {
        foreach (var stage in chain.OfType<IDisposable>()) stage.Dispose();
    }

    /// <summary>Softmax [count, 4, size, size] of one network, through TorchSharp directly.</summary>
    private static float[] Softmax(SegmentationNetwork network, float[] slices, int count)
    {
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        return nn.functional.softmax(network.call(tensor(slices, new long[] { count, 1, Preprocessing.Size, Preprocessing.Size })), 1).data<float>().ToArray();
    }

    [TestMethod]
    public void Ensemble_AveragesTheMembersSoftmax_AndSurvivesTheModelFile()
    {
        var cardiac = new MLContext(seed: 1).CardiacSegmentation();
        // Two configurations (different widths and depths): what an ensemble over configurations holds. (A 6-filter member
        // once gave NaN in a full-suite run and never alone: suspected oneDNN path for channel counts not a multiple of 4/8.)
        var a = Member(new UNetOptions { BaseFilters = 4, Depth = 2 }, seed: 1, "A");
        var b = Member(new UNetOptions { BaseFilters = 8, Depth = 3 }, seed: 2, "B");
        string file = Path.Combine(Path.GetTempPath(), $"mlcardiac-ensemble-{Guid.NewGuid():N}.zip");
        try
        {
            var choice = new PostProcessingChoice([new(1, 4, 0.8, 0.9, true), new(2, 4, 0.8, 0.7, false), new(3, 4, 0.6, 0.6, true)]);
            TransformerChain<ITransformer> ensemble = cardiac.Ensemble([a, b], choice);
            var segmentation = ensemble.OfType<SegmentationTransformer>().Single();
            Assert.AreEqual(2, segmentation.Model.Networks.Count);
            CollectionAssert.AreEqual(new[] { "A", "B" }, segmentation.Model.Description.TrainVendors.ToArray(), "the vendors of every member");
            CollectionAssert.AreEqual(new[] { 1, 3 }, segmentation.Model.Description.LargestComponentLabels!.ToArray());

            const int count = 3;
            float[] slices = OnnxTestNetworks.RandomInput(count * 32 * 32, seed: 5);
            float[] pa = Softmax(a.OfType<SegmentationTransformer>().Single().Model.Network, slices, count);
            float[] pb = Softmax(b.OfType<SegmentationTransformer>().Single().Model.Network, slices, count);
            var averaged = new float[pa.Length];
            segmentation.Model.Backend.Predict(slices, count, 32, averaged);
            for (int i = 0; i < pa.Length; i++) Assert.AreEqual((pa[i] + pb[i]) / 2, averaged[i], 1e-5f, $"probability {i}");
            byte[] labels = segmentation.Model.Segmenter.PredictSlices(slices, count, 32);
            Assert.IsTrue(labels.Distinct().Count() > 1, "a perturbed network predicts more than one class");

            cardiac.SaveModel(ensemble, CaseDataView.CaseSchema, file);
            Dispose(ensemble);
            Dispose(a);
            Dispose(b);
            using CardiacModel loaded = CardiacModel.Load(file);
            SegmentationModel model = loaded.Segmentation!.Model;
            Assert.IsTrue(model.IsEnsemble);
            CollectionAssert.AreEqual(new[] { 4, 8 }, model.Networks.Select(n => n.Options.BaseFilters).ToArray(), "each member's architecture, in order");
            CollectionAssert.AreEqual(labels, model.Segmenter.PredictSlices(slices, count, 32), "the loaded file predicts what the ensemble in memory did");
            CollectionAssert.AreEqual(new[] { 1, 3 }, model.Description.LargestComponentLabels!.ToArray());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void EnsembleOnnxExport_OneGraph_AgreesWithTorchSharpAndIsRunBack()
    {
        var cardiac = new MLContext(seed: 1).CardiacSegmentation();
        var members = Enumerable.Range(1, 3).Select(s => Member(new UNetOptions { BaseFilters = 4, Depth = 2 }, s, "A")).ToList();
        TransformerChain<ITransformer> ensemble = cardiac.Ensemble(members);
        members.ForEach(Dispose);
        string dir = Path.Combine(Path.GetTempPath(), $"mlcardiac-ensemble-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string file = Path.Combine(dir, "model.zip");
            cardiac.SaveModel(ensemble, CaseDataView.CaseSchema, file);
            Dispose(ensemble);
            using CardiacModel model = CardiacModel.Load(file);
            model.ExportOnnx(CardiacModel.OnnxPath(file, quantized: false), new MLCardiac.Onnx.OnnxExportOptions { Outputs = MLCardiac.Onnx.OnnxOutputs.Logits | MLCardiac.Onnx.OnnxOutputs.Probabilities | MLCardiac.Onnx.OnnxOutputs.Labels });
            const int count = 2;
            float[] slices = OnnxTestNetworks.RandomInput(count * 32 * 32, seed: 9);
            var torch = new float[count * 4 * 32 * 32];
            model.Segmentation!.Model.Backend.Predict(slices, count, 32, torch);

            var outputs = OnnxTestNetworks.Run(File.ReadAllBytes(CardiacModel.OnnxPath(file, false)), slices, [count, 1, 32, 32]);
            float difference = OnnxTestNetworks.MaxAbsDifference(torch, outputs["probabilities"].Floats!);
            Assert.IsTrue(difference < 1e-4f, $"ONNX ensemble probabilities differ from TorchSharp's by {difference}");
            byte[] expected = model.Segmentation.Model.Segmenter.PredictSlices(slices, count, 32);
            CollectionAssert.AreEqual(expected.Select(v => (long)v).ToArray(), outputs["labels"].Longs, "labels: the arg-max of the mean");

            // The exported graph runs the same labels through predict's ONNX Runtime backend.
            using CardiacModel onOnnx = CardiacModel.Load(file, SegmentationBackend.OnnxRuntime);
            CollectionAssert.AreEqual(expected, onOnnx.Segmentation!.Model.Segmenter.PredictSlices(slices, count, 32));

            var error = Assert.ThrowsExactly<MLCardiacException>(() => model.ExportOnnxInt8(Path.Combine(dir, "x.onnx"), dir));
            StringAssert.Contains(error.Message, "ensemble of 3 networks");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Ensemble_RefusesMembersPreprocessedDifferently_AndWeightsThatDoNotMatchTheDescription()
    {
        var cardiac = new MLContext(seed: 1).CardiacSegmentation();
        var a = Member(new UNetOptions { BaseFilters = 4, Depth = 2 }, 1, "A");
        var other = new PreprocessingOptions { Size = 32, SpacingMm = 2.5 };
        var b = new TransformerChain<ITransformer>(new NiftiLoaderTransformer(), new SlicePreprocessingTransformer(other, null),
            new SegmentationTransformer(SegmentationModel.FromNetwork(OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 4, Depth = 2 }, 2),
                new ModelDescription { Network = new UNetOptions { BaseFilters = 4, Depth = 2 }, Preprocessing = other }), mirrorTta: false));
        try
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => cardiac.Ensemble([a, b]));
            StringAssert.Contains(e.Message, "share their preprocessing");
            Assert.ThrowsExactly<ArgumentException>(() => cardiac.Ensemble([a]));

            // A description listing two members over the weights of one network: refused, naming the count.
            using var ms = new MemoryStream();
            a.OfType<SegmentationTransformer>().Single().Model.SaveWeights(ms);
            ms.Position = 0;
            var two = new ModelDescription { Network = new UNetOptions { BaseFilters = 4, Depth = 2 }, Members = [new UNetOptions { BaseFilters = 4, Depth = 2 }, new UNetOptions { BaseFilters = 4, Depth = 2 }], Preprocessing = Preprocessing };
            var missing = Assert.ThrowsExactly<MLCardiacException>(() => SegmentationModel.LoadWeights(ms, two));
            StringAssert.Contains(missing.Message, "hold 1 network(s); the description lists 2");
        }
        finally
        {
            Dispose(a);
            Dispose(b);
        }
    }
}
