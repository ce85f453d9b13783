using MLCardiac.Data.Synthetic;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Onnx;
using MLCardiac.Preprocessing;
using MLCardiac.Tests.Data;

namespace MLCardiac.Tests.Onnx;

[TestClass]
public sealed class OnnxSegmentationTests
{
    private static readonly UNetOptions Network = new() { BaseFilters = 8, Depth = 3 };
    private static readonly PreprocessingOptions Prep = new() { Size = 64, SpacingMm = 2.5 };
    private static string _root = "";
    private static string _folder = "";
    private static string _file = "";
    private static string _onnx = "";
    private static Volume _image = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void Prepare(TestContext context)
    {
        _root = Path.Combine(Path.GetTempPath(), $"mlcardiac-onnx-seg-{Guid.NewGuid():N}");
        _folder = Path.Combine(_root, "model");
        Directory.CreateDirectory(_folder);
        _file = Path.Combine(_folder, CardiacModel.FileName);
        _onnx = CardiacModel.OnnxPath(_file, quantized: false);
        using (UNet2d net = OnnxTestNetworks.UNet(Network, seed: 3))
            CardiacModel.Write(_file, net, new ModelDescription { Network = Network, Preprocessing = Prep });
        using (var model = CardiacModel.Load(_file, SegmentationBackend.TorchSharp)) model.ExportOnnx(_onnx);
        _image = EdVolume(SyntheticTestCohort.Get(VendorProfiles.B, 0));
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_root, recursive: true);

    private static Volume EdVolume(SyntheticSubject s)
    {
        int px = s.SizeX * s.SizeY;
        var data = new float[px * s.SliceCount];
        for (int z = 0; z < s.SliceCount; z++) s.ImageSlice(z, s.Info.EdFrame).CopyTo(data.AsSpan(z * px, px));
        return new Volume(data, [s.SizeX, s.SizeY, s.SliceCount], new Spacing(s.PixelSpacingMm, s.PixelSpacingMm, s.SliceThicknessMm));
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Segment_ModelFileWithOnnx_OnnxRuntimeLabelsEqualTorchSharp(bool tta)
    {
        using var torchFile = CardiacModel.Load(_folder, SegmentationBackend.TorchSharp);
        using var onnxFile = CardiacModel.Load(_folder, SegmentationBackend.OnnxRuntime);
        SegmentationModel torchModel = torchFile.Segmentation!.Model, onnxModel = onnxFile.Segmentation!.Model;
        Assert.AreEqual("TorchSharp", torchModel.Backend.Name);
        Assert.AreEqual("ONNX Runtime", onnxModel.Backend.Name);

        Volume a = torchModel.Segment(_image, mirrorTta: tta);
        Volume b = onnxModel.Segment(_image, mirrorTta: tta);

        int differing = 0;
        for (int i = 0; i < a.Voxels.Length; i++) if (a.Voxels[i] != b.Voxels[i]) differing++;
        TestContext.WriteLine($"TTA {tta}: {differing} of {a.Voxels.Length} voxels differ between TorchSharp and ONNX Runtime");
        Assert.IsGreaterThan(1, a.Voxels.ToArray().Distinct().Count(), "the network predicts more than one label here");
        // Only arg-max near-ties (probabilities within float rounding) may differ.
        Assert.IsLessThanOrEqualTo(a.Voxels.Length / 10_000, differing);
    }

    [TestMethod]
    public void Segment_SplitSkipGraphAndConcurrentRuns_SameLabelsAsTheConcatGraphInOneRun()
    {
        // What the speed-ups changed (split decoder convolutions, the batch run in parts at once, vectorised softmax)
        // must not change a voxel of the segmentation of a real volume.
        using var torchFile = CardiacModel.Load(_folder, SegmentationBackend.TorchSharp);
        SegmentationModel torchModel = torchFile.Segmentation!.Model;
        byte[] concat = OnnxExporter.ExportSegmentation(torchModel.Network, Prep, new OnnxExportOptions { ConcatSkips = true });
        byte[] split = OnnxExporter.ExportSegmentation(torchModel.Network, Prep);
        using var before = OnnxSegmentationModel.Load(concat, "concat.onnx", new OnnxSegmentationOptions { Runtime = new OnnxRuntimeSettings { ConcurrentRuns = 1 } });
        using var after = OnnxSegmentationModel.Load(split, "split.onnx", new OnnxSegmentationOptions { Runtime = new OnnxRuntimeSettings { ConcurrentRuns = 3 } });

        foreach (bool tta in new[] { false, true })
        {
            float[] a = before.Segment(_image, mirrorTta: tta).Voxels.ToArray();
            float[] b = after.Segment(_image, mirrorTta: tta).Voxels.ToArray();
            Assert.IsGreaterThan(1, a.Distinct().Count(), "the network predicts more than one label here");
            CollectionAssert.AreEqual(a, b, $"TTA {tta}");
        }
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(4)]
    public void Predict_ConcurrentRuns_SameProbabilitiesAsOneRun(int runs)
    {
        byte[] onnx = File.ReadAllBytes(_onnx);
        using var one = new OnnxRuntimeBackend(onnx, "one", new OnnxSegmentationOptions { Runtime = new OnnxRuntimeSettings { ConcurrentRuns = 1 } });
        using var parts = new OnnxRuntimeBackend(onnx, "parts", new OnnxSegmentationOptions { Runtime = new OnnxRuntimeSettings { ConcurrentRuns = runs } });
        const int count = 7, size = 64;
        float[] x = OnnxTestNetworks.RandomInput(count * size * size, seed: 4);
        float[] a = new float[count * 4 * size * size], b = new float[a.Length];

        one.Predict(x, count, size, a);
        parts.Predict(x, count, size, b);

        Assert.IsLessThan(1e-6f, OnnxTestNetworks.MaxAbsDifference(a, b));
        for (int i = 0; i < count * size * size; i += 97)
        {
            int n = i / (size * size), p = i % (size * size);
            float sum = 0;
            for (int c = 0; c < 4; c++) sum += b[(n * 4 + c) * size * size + p];
            Assert.AreEqual(1f, sum, 1e-5f);
        }
    }

    [TestMethod]
    public void Predict_LogitsOutput_SoftmaxEqualsTheGraphsProbabilities()
    {
        using var torchFile = CardiacModel.Load(_folder, SegmentationBackend.TorchSharp);
        byte[] onnx = OnnxExporter.ExportSegmentation(torchFile.Segmentation!.Model.Network, Prep, new OnnxExportOptions { Outputs = OnnxOutputs.Logits | OnnxOutputs.Probabilities });
        using var logits = new OnnxRuntimeBackend(onnx, "m", new OnnxSegmentationOptions { OutputName = "logits" });
        using var probabilities = new OnnxRuntimeBackend(onnx, "m", new OnnxSegmentationOptions { OutputName = "probabilities" });
        const int count = 3, size = 64;
        float[] x = OnnxTestNetworks.RandomInput(count * size * size, seed: 6);
        float[] a = new float[count * 4 * size * size], b = new float[a.Length];

        logits.Predict(x, count, size, a);
        probabilities.Predict(x, count, size, b);

        Assert.IsLessThan(1e-6f, OnnxTestNetworks.MaxAbsDifference(b, a));
    }

    [TestMethod]
    public void OnnxRuntimeSettings_NegativeCounts_ThrowNamingThem()
    {
        Assert.AreEqual("ConcurrentRuns", Assert.ThrowsExactly<ArgumentException>(() => new OnnxRuntimeSettings { ConcurrentRuns = -1 }.ToSessionOptions()).ParamName);
        Assert.AreEqual("IntraOpThreads", Assert.ThrowsExactly<ArgumentException>(() => new OnnxRuntimeSettings { IntraOpThreads = -2 }.ToSessionOptions()).ParamName);
        Assert.AreEqual(1, new OnnxRuntimeSettings { ConcurrentRuns = Environment.ProcessorCount }.ThreadsPerRun);
    }

    [TestMethod]
    public void Load_Auto_PicksOnnxRuntimeWhenModelOnnxIsPresentElseTorchSharp()
    {
        using (var auto = CardiacModel.Load(_folder)) Assert.AreEqual("ONNX Runtime", auto.Segmentation!.Model.Backend.Name);
        string plain = Path.Combine(_root, "plain");
        Directory.CreateDirectory(plain);
        File.Copy(_file, Path.Combine(plain, CardiacModel.FileName), overwrite: true);
        using (var auto = CardiacModel.Load(plain)) Assert.AreEqual("TorchSharp", auto.Segmentation!.Model.Backend.Name);
        using (var exported = CardiacModel.Load(plain, SegmentationBackend.Auto, exportOnnxIfMissing: true)) Assert.AreEqual("ONNX Runtime", exported.Segmentation!.Model.Backend.Name);
        var e = Assert.ThrowsExactly<MLCardiacException>(() => CardiacModel.Load(plain, SegmentationBackend.OnnxRuntime));
        StringAssert.Contains(e.Message, Path.Combine(plain, "model.onnx"));
    }

    [TestMethod]
    public void Load_OnnxFromOtherWeights_ThrowsNamingModelOnnx()
    {
        string stale = Path.Combine(_root, "stale");
        Directory.CreateDirectory(stale);
        File.Copy(_onnx, Path.Combine(stale, "model.onnx"), overwrite: true);
        using (UNet2d other = OnnxTestNetworks.UNet(Network, seed: 4))
            CardiacModel.Write(Path.Combine(stale, CardiacModel.FileName), other, new ModelDescription { Network = Network, Preprocessing = Prep });

        var e = Assert.ThrowsExactly<MLCardiacException>(() => CardiacModel.Load(stale));
        StringAssert.Contains(e.Message, Path.Combine(stale, "model.onnx"));
        StringAssert.Contains(e.Message, "other weights");
        using var torch = CardiacModel.Load(stale, SegmentationBackend.TorchSharp);
        Assert.AreEqual("TorchSharp", torch.Segmentation!.Model.Backend.Name);
    }

    [TestMethod]
    public void Load_CorruptOnnx_ThrowsNamingTheFile()
    {
        string corrupt = Path.Combine(_root, "corrupt");
        Directory.CreateDirectory(corrupt);
        File.Copy(_file, Path.Combine(corrupt, CardiacModel.FileName), overwrite: true);
        string onnx = Path.Combine(corrupt, "model.onnx");
        byte[] good = File.ReadAllBytes(_onnx);
        File.WriteAllBytes(onnx, good.AsSpan(0, good.Length / 3).ToArray()); // truncated

        var e1 = Assert.ThrowsExactly<MLCardiacException>(() => CardiacModel.Load(corrupt));
        StringAssert.Contains(e1.Message, onnx);
        var e2 = Assert.ThrowsExactly<MLCardiacException>(() => OnnxSegmentationModel.Load(onnx));
        StringAssert.Contains(e2.Message, onnx);
    }

    [TestMethod]
    public void Load_MissingModelFolder_ThrowsNamingIt()
    {
        string missing = Path.Combine(_root, "no-such-model");
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => CardiacModel.Load(missing)).Message, missing);
        string missingOnnx = Path.Combine(_root, "none.onnx");
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => OnnxSegmentationModel.Load(missingOnnx)).Message, missingOnnx);
    }

    [TestMethod]
    public void OnnxSegmentationModel_ExportedFile_SegmentsLikeTheModelFile()
    {
        string onnx = _onnx;
        using var saved = CardiacModel.Load(_folder, SegmentationBackend.OnnxRuntime);
        SegmentationModel folder = saved.Segmentation!.Model;
        using var external = OnnxSegmentationModel.Load(onnx);
        Assert.AreEqual(64, external.Preprocessor.Options.Size, "size from the input shape");
        Assert.AreEqual(2.5, external.Preprocessor.Options.SpacingMm, "spacing from the metadata");

        CollectionAssert.AreEqual(folder.Segment(_image).Voxels.ToArray(), external.Segment(_image).Voxels.ToArray());
    }

    [TestMethod]
    public void OnnxSegmentationModel_LabelsOutput_EqualsLogitsOutput()
    {
        string onnx = _onnx;
        using var logits = OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { OutputName = "logits" });
        using var labels = OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { OutputName = "labels", OutputKind = OnnxOutputKind.Labels });

        CollectionAssert.AreEqual(logits.Segment(_image, largestComponent: false).Voxels.ToArray(), labels.Segment(_image, largestComponent: false).Voxels.ToArray());
    }

    [TestMethod]
    public void OnnxSegmentationModel_LabelMap_RelabelsTheModelsClasses()
    {
        string onnx = _onnx;
        using var identity = OnnxSegmentationModel.Load(onnx);
        // As for an ACDC-trained model: class 1 is RV, 3 is LV.
        using var acdc = OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { LabelMap = [0, 3, 2, 1] });

        float[] a = identity.Segment(_image, largestComponent: false).Voxels.ToArray();
        float[] b = acdc.Segment(_image, largestComponent: false).Voxels.ToArray();

        float[] swap = [0, 3, 2, 1];
        CollectionAssert.AreEqual(a.Select(v => swap[(int)v]).ToArray(), b);
    }

    [TestMethod]
    public void OnnxSegmentationModel_UnknownOutputOrBadLabelMap_ThrowsNamingThem()
    {
        string onnx = _onnx;
        var e = Assert.ThrowsExactly<MLCardiacException>(() => OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { OutputName = "seg" }));
        StringAssert.Contains(e.Message, "'seg'");
        StringAssert.Contains(e.Message, "logits, labels");
        var m = Assert.ThrowsExactly<MLCardiacException>(() => OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { LabelMap = [0, 1, 2] }));
        StringAssert.Contains(m.Message, "label map has 3");
        var r = Assert.ThrowsExactly<ArgumentException>(() => OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { LabelMap = [0, 1, 2, 7] }));
        Assert.AreEqual("LabelMap", r.ParamName);
    }
}
