using MLCardiac.Tests.Support;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Onnx;
using MLCardiac.Preprocessing;
using MLCardiac.Tests.Data;
using MLCardiac.Tests.Onnx;

namespace MLCardiac.Tests.ML;

/// <summary>
/// <c>Transforms.ApplySegmentationOnnx</c>: a small random U-Net (64×64 at 2.5 mm, every weight and statistic perturbed)
/// exported with our exporter and run in a pipeline on a few synthetic cases — against the same network run directly
/// with ONNX Runtime and with TorchSharp, through Evaluate and through a model-file round trip.
/// </summary>
[TestClass]
public sealed class OnnxSegmentationStageTests
{
    private static readonly UNetOptions Network = new() { BaseFilters = 8, Depth = 3 };
    private static readonly PreprocessingOptions Prep = new() { Size = 64, SpacingMm = 2.5 };
    private static string _root = "", _folder = "", _onnx = "";
    private static MLContext _ml = null!;
    private static CardiacSegmentationCatalog _cardiac = null!;
    private static IDataView _cases = null!;
    private static IReadOnlyList<CaseRecord> _records = [];

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void Prepare(TestContext context)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-onnx-stage-" + Guid.NewGuid().ToString("N"));
        string data = Path.Combine(_root, "data");
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(data, new SyntheticDatasetRequest
        {
            Vendors = [VendorProfiles.A, VendorProfiles.B],
            SubjectsPerVendor = 1,
        });
        _folder = Path.Combine(_root, "model");
        Directory.CreateDirectory(_folder);
        using (UNet2d net = OnnxTestNetworks.UNet(Network, seed: 3))
            CardiacModel.Write(Path.Combine(_folder, CardiacModel.FileName), net, new ModelDescription { Network = Network, Preprocessing = Prep });
        _onnx = Path.Combine(_root, "unet.onnx");
        using (var saved = CardiacModel.Load(_folder, SegmentationBackend.TorchSharp)) saved.ExportOnnx(_onnx);
        _ml = new MLContext(seed: 1);
        _cardiac = _ml.CardiacSegmentation();
        _cases = _cardiac.Data.FromDirectory(data);
        _records = _cardiac.Data.Records(_cases);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static Volume Frame(CaseRecord r)
    {
        Volume image = NiftiReader.Read(r.ImagePath);
        return new Volume(image.Frame(r.ImageFrame).ToArray(), [image.SizeX, image.SizeY, image.SizeZ], image.SpacingMm);
    }

    private static List<byte[]> Predicted(IDataView data)
    {
        var list = new List<byte[]>();
        var column = data.Schema[CardiacColumnNames.PredictedLabel];
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<byte>>(column);
        VBuffer<byte> v = default;
        while (cursor.MoveNext())
        {
            getter(ref v);
            list.Add(v.DenseValues().ToArray());
        }
        return list;
    }

    private static byte[] Bytes(Volume labels) => labels.Data.Select(v => (byte)v).ToArray();

    [TestMethod]
    public void ApplySegmentationOnnx_SyntheticCases_LabelsEqualOnnxRuntimeAndTorchSharpOnTheImageGrid()
    {
        using var model = _cardiac.Transforms.LoadNifti().Append(_cardiac.Transforms.ApplySegmentationOnnx(_onnx)).Fit(_cases).LastTransformer;
        List<byte[]> predicted = Predicted(new TransformerChain<ITransformer>(new NiftiLoaderTransformer(), model).Transform(_cases));

        using var direct = OnnxSegmentationModel.Load(_onnx);
        using var torchFile = CardiacModel.Load(_folder, SegmentationBackend.TorchSharp);
        SegmentationModel torch = torchFile.Segmentation!.Model;
        Assert.AreEqual("TorchSharp", torch.Backend.Name);
        Assert.HasCount(_records.Count, predicted);
        Assert.IsGreaterThanOrEqualTo(4, _records.Count);
        int differing = 0, total = 0;
        for (int i = 0; i < _records.Count; i++)
        {
            Volume frame = Frame(_records[i]);
            Assert.AreEqual(frame.VoxelsPerFrame, predicted[i].Length, "labels on the image's own grid");
            CollectionAssert.AreEqual(Bytes(direct.Segment(frame)), predicted[i], $"row {i}: same as OnnxSegmentationModel");
            byte[] t = Bytes(torch.Segment(frame));
            for (int k = 0; k < t.Length; k++) if (t[k] != predicted[i][k]) differing++;
            total += t.Length;
        }
        TestContext.WriteLine($"{differing} of {total} voxels differ between the ONNX stage and TorchSharp");
        Assert.IsGreaterThan(1, predicted.SelectMany(p => p).Distinct().Count(), "the network predicts more than one label here");
        // Same weights: only arg-max near-ties (probabilities within float rounding) may differ.
        Assert.IsLessThanOrEqualTo(total / 10_000, differing);
    }

    [TestMethod]
    public void Evaluate_OnnxStage_EqualsCaseEvaluatorAndMatchesTheTorchSharpStage()
    {
        using var onnxStage = _cardiac.Transforms.ApplySegmentationOnnx(_onnx).Fit(new NiftiLoaderTransformer().Transform(_cases));
        SegmentationMetrics metrics = _cardiac.Evaluate(onnxStage.Transform(new NiftiLoaderTransformer().Transform(_cases)));

        using var direct = OnnxSegmentationModel.Load(_onnx);
        var expected = CaseEvaluator.Evaluate((image, frame) =>
            direct.Segment(new Volume(image.Frame(frame).ToArray(), [image.SizeX, image.SizeY, image.SizeZ], image.SpacingMm)), _records);
        Assert.HasCount(expected.Count, metrics.Cases);
        var byKey = metrics.Cases.ToDictionary(c => (c.Record.Subject, c.Record.Role));
        foreach (var e in expected)
            for (int s = 0; s < 3; s++) Assert.AreEqual(e.Structures[s], byKey[(e.Record.Subject, e.Record.Role)].Structures[s], $"{e.Record.Subject} {e.Record.Role} structure {s + 1}");
        Assert.IsEmpty(metrics.TrainVendors, "an external model declares no training vendors");

        // The trained-U-Net stage on the same weights (TorchSharp) scores the same up to arg-max near-ties.
        using var torchFile = CardiacModel.Load(_folder, SegmentationBackend.TorchSharp);
        SegmentationMetrics torchMetrics = _cardiac.Evaluate(torchFile.Pipeline.Transform(_cases));
        TestContext.WriteLine($"Dice LV/MYO/RV ONNX {metrics.Overall.Lv.Dice.Mean:F4}/{metrics.Overall.Myo.Dice.Mean:F4}/{metrics.Overall.Rv.Dice.Mean:F4}, TorchSharp {torchMetrics.Overall.Lv.Dice.Mean:F4}/{torchMetrics.Overall.Myo.Dice.Mean:F4}/{torchMetrics.Overall.Rv.Dice.Mean:F4}");
        Assert.AreEqual(torchMetrics.Overall.Lv.Dice.Mean, metrics.Overall.Lv.Dice.Mean, 1e-3);
        Assert.AreEqual(torchMetrics.Overall.Myo.Dice.Mean, metrics.Overall.Myo.Dice.Mean, 1e-3);
        Assert.AreEqual(torchMetrics.Overall.Rv.Dice.Mean, metrics.Overall.Rv.Dice.Mean, 1e-3);
    }

    [TestMethod]
    public void SaveModel_OnnxStage_StoresTheOnnxBytesAndReloadsWithIdenticalPredictions()
    {
        var options = new OnnxSegmentationOptions { OutputName = OnnxExportOptions.LogitsName, OutputKind = OnnxOutputKind.Logits, LabelMap = [0, 1, 2, 3], SpacingMm = 2.5 };
        var fitted = _cardiac.Transforms.LoadNifti().Append(_cardiac.Transforms.ApplySegmentationOnnx(_onnx, options, mirrorTta: true)).Fit(_cases);
        string path = Path.Combine(_root, Guid.NewGuid().ToString("N"), "onnx-pipeline.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        TransformerChain<ITransformer>? loaded = null;
        try
        {
            _cardiac.SaveModel(fitted, _cases.Schema, path);
            using (var zip = ZipFile.OpenRead(path))
            {
                var entry = zip.Entries.Single(e => e.FullName.EndsWith("-onnxsegmentation.weights", StringComparison.Ordinal));
                using var ms = new MemoryStream();
                using (var s = entry.Open()) s.CopyTo(ms);
                CollectionAssert.AreEqual(File.ReadAllBytes(_onnx), ms.ToArray(), "the model file holds the ONNX model itself");
            }
            File.Delete(_onnx + ".moved");
            File.Move(_onnx, _onnx + ".moved"); // the loaded model needs no .onnx file
            try
            {
                loaded = _cardiac.LoadModel(path, out _);
            }
            finally
            {
                File.Move(_onnx + ".moved", _onnx);
            }
            var stage = loaded.OfType<OnnxSegmentationTransformer>().Single();
            Assert.AreEqual(options.OutputName, stage.Options.OutputName);
            CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, stage.Options.LabelMap!.ToArray());
            Assert.IsTrue(stage.MirrorTta);

            IDataView rows = _cardiac.Data.FromRecords(_records.Take(2));
            var a = Predicted(fitted.Transform(rows));
            var b = Predicted(loaded.Transform(rows));
            Assert.HasCount(2, b);
            for (int i = 0; i < a.Count; i++) CollectionAssert.AreEqual(a[i], b[i], $"row {i}");
        }
        finally
        {
            foreach (var t in fitted) (t as IDisposable)?.Dispose();
            foreach (var t in loaded ?? Enumerable.Empty<ITransformer>()) (t as IDisposable)?.Dispose();
        }
    }

    [TestMethod]
    public void ApplySegmentationOnnx_MissingFileOrUnknownOutput_FailsNamingThem()
    {
        IDataView loadedCases = new NiftiLoaderTransformer().Transform(_cases);
        string missing = Path.Combine(_root, "none.onnx");
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.Transforms.ApplySegmentationOnnx(missing).Fit(loadedCases)).Message, missing);
        var e = Assert.ThrowsExactly<MLCardiacException>(() => _cardiac.Transforms.ApplySegmentationOnnx(_onnx, new OnnxSegmentationOptions { OutputName = "seg" }).Fit(loadedCases));
        StringAssert.Contains(e.Message, "'seg'");
        StringAssert.Contains(e.Message, _onnx);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _cardiac.Transforms.ApplySegmentationOnnx(_onnx).Fit(_cases), "no Image column before LoadNifti");
    }
}
