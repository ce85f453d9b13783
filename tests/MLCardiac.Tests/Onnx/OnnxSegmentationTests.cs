using MLCardiac.Data.Synthetic;
using MLCardiac.Imaging;
using MLCardiac.Inference;
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
    private static Volume _image = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void Prepare(TestContext context)
    {
        _root = Path.Combine(Path.GetTempPath(), $"mlcardiac-onnx-seg-{Guid.NewGuid():N}");
        _folder = Path.Combine(_root, "model");
        using (UNet2d net = OnnxTestNetworks.UNet(Network, seed: 3))
            SegmentationModel.Save(_folder, net, new ModelDescription { Network = Network, Preprocessing = Prep });
        OnnxExporter.ExportModelFolder(_folder, Path.Combine(_folder, SegmentationModel.OnnxFile));
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
    public void Segment_ModelFolderWithOnnx_OnnxRuntimeLabelsEqualTorchSharp(bool tta)
    {
        using var torchModel = SegmentationModel.Load(_folder, SegmentationBackend.TorchSharp);
        using var onnxModel = SegmentationModel.Load(_folder, SegmentationBackend.OnnxRuntime);
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
    public void Load_Auto_PicksOnnxRuntimeWhenModelOnnxIsPresentElseTorchSharp()
    {
        using (var auto = SegmentationModel.Load(_folder)) Assert.AreEqual("ONNX Runtime", auto.Backend.Name);
        string plain = Path.Combine(_root, "plain");
        Directory.CreateDirectory(plain);
        foreach (string f in new[] { SegmentationModel.DescriptionFile, "best.weights" }) File.Copy(Path.Combine(_folder, f), Path.Combine(plain, f), overwrite: true);
        using (var auto = SegmentationModel.Load(plain)) Assert.AreEqual("TorchSharp", auto.Backend.Name);
        var e = Assert.ThrowsExactly<MLCardiacException>(() => SegmentationModel.Load(plain, SegmentationBackend.OnnxRuntime));
        StringAssert.Contains(e.Message, Path.Combine(plain, SegmentationModel.OnnxFile));
    }

    [TestMethod]
    public void Load_OnnxFromOtherWeights_ThrowsNamingModelOnnx()
    {
        string stale = Path.Combine(_root, "stale");
        Directory.CreateDirectory(stale);
        File.Copy(Path.Combine(_folder, SegmentationModel.OnnxFile), Path.Combine(stale, SegmentationModel.OnnxFile), overwrite: true);
        using (UNet2d other = OnnxTestNetworks.UNet(Network, seed: 4))
            SegmentationModel.Save(stale, other, new ModelDescription { Network = Network, Preprocessing = Prep });

        var e = Assert.ThrowsExactly<MLCardiacException>(() => SegmentationModel.Load(stale));
        StringAssert.Contains(e.Message, Path.Combine(stale, SegmentationModel.OnnxFile));
        StringAssert.Contains(e.Message, "other weights");
        using var torch = SegmentationModel.Load(stale, SegmentationBackend.TorchSharp);
        Assert.AreEqual("TorchSharp", torch.Backend.Name);
    }

    [TestMethod]
    public void Load_CorruptOnnx_ThrowsNamingTheFile()
    {
        string corrupt = Path.Combine(_root, "corrupt");
        Directory.CreateDirectory(corrupt);
        foreach (string f in new[] { SegmentationModel.DescriptionFile, "best.weights" }) File.Copy(Path.Combine(_folder, f), Path.Combine(corrupt, f), overwrite: true);
        string onnx = Path.Combine(corrupt, SegmentationModel.OnnxFile);
        byte[] good = File.ReadAllBytes(Path.Combine(_folder, SegmentationModel.OnnxFile));
        File.WriteAllBytes(onnx, good.AsSpan(0, good.Length / 3).ToArray()); // truncated

        var e1 = Assert.ThrowsExactly<MLCardiacException>(() => SegmentationModel.Load(corrupt));
        StringAssert.Contains(e1.Message, onnx);
        var e2 = Assert.ThrowsExactly<MLCardiacException>(() => OnnxSegmentationModel.Load(onnx));
        StringAssert.Contains(e2.Message, onnx);
    }

    [TestMethod]
    public void Load_MissingModelFolder_ThrowsNamingIt()
    {
        string missing = Path.Combine(_root, "no-such-model");
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => SegmentationModel.Load(missing)).Message, missing);
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => OnnxExporter.ExportModelFolder(missing, Path.Combine(_root, "x.onnx"))).Message, missing);
        string missingOnnx = Path.Combine(_root, "none.onnx");
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => OnnxSegmentationModel.Load(missingOnnx)).Message, missingOnnx);
    }

    [TestMethod]
    public void OnnxSegmentationModel_ExportedFile_SegmentsLikeTheModelFolder()
    {
        string onnx = Path.Combine(_folder, SegmentationModel.OnnxFile);
        using var folder = SegmentationModel.Load(_folder, SegmentationBackend.OnnxRuntime);
        using var external = OnnxSegmentationModel.Load(onnx);
        Assert.AreEqual(64, external.Preprocessor.Options.Size, "size from the input shape");
        Assert.AreEqual(2.5, external.Preprocessor.Options.SpacingMm, "spacing from the metadata");

        CollectionAssert.AreEqual(folder.Segment(_image).Voxels.ToArray(), external.Segment(_image).Voxels.ToArray());
    }

    [TestMethod]
    public void OnnxSegmentationModel_LabelsOutput_EqualsLogitsOutput()
    {
        string onnx = Path.Combine(_folder, SegmentationModel.OnnxFile);
        using var logits = OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { OutputName = "logits" });
        using var labels = OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { OutputName = "labels", OutputKind = OnnxOutputKind.Labels });

        CollectionAssert.AreEqual(logits.Segment(_image, largestComponent: false).Voxels.ToArray(), labels.Segment(_image, largestComponent: false).Voxels.ToArray());
    }

    [TestMethod]
    public void OnnxSegmentationModel_LabelMap_RelabelsTheModelsClasses()
    {
        string onnx = Path.Combine(_folder, SegmentationModel.OnnxFile);
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
        string onnx = Path.Combine(_folder, SegmentationModel.OnnxFile);
        var e = Assert.ThrowsExactly<MLCardiacException>(() => OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { OutputName = "seg" }));
        StringAssert.Contains(e.Message, "'seg'");
        StringAssert.Contains(e.Message, "logits, labels");
        var m = Assert.ThrowsExactly<MLCardiacException>(() => OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { LabelMap = [0, 1, 2] }));
        StringAssert.Contains(m.Message, "label map has 3");
        var r = Assert.ThrowsExactly<ArgumentException>(() => OnnxSegmentationModel.Load(onnx, new OnnxSegmentationOptions { LabelMap = [0, 1, 2, 7] }));
        Assert.AreEqual("LabelMap", r.ParamName);
    }
}
