using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Tests.Onnx;
using MLCardiac.Training;
using Microsoft.ML.OnnxRuntime;

namespace MLCardiac.Tests.Cli;

[TestClass]
public sealed class ExportCommandTests
{
    private string _dir = "";

    [TestInitialize]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"mlcardiac-export-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    private static void WriteModel(string folder, UNet2d net, ModelDescription description)
    {
        Directory.CreateDirectory(folder);
        CardiacModel.Write(Path.Combine(folder, CardiacModel.FileName), net, description);
    }

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void Export_SegmentationModelFolder_WritesOnnxThatOnnxRuntimeLoadsAndAnMLNetZip()
    {
        string model = Path.Combine(_dir, "unet");
        var network = new UNetOptions { BaseFilters = 4, Depth = 2 };
        using (UNet2d net = OnnxTestNetworks.UNet(network))
            WriteModel(model, net, new ModelDescription { Network = network, Preprocessing = new PreprocessingOptions { Size = 32 } });
        string onnx = Path.Combine(_dir, "out.onnx"), zip = Path.Combine(_dir, "out.zip");

        var (code, output) = CliRunner.Run("export", "--model", model, "--onnx", onnx, "--mlnet", zip, "--outputs", "probabilities,labels");

        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, onnx);
        using var session = new InferenceSession(onnx);
        CollectionAssert.AreEqual(new[] { "probabilities", "labels" }, session.OutputMetadata.Keys.ToArray());
        CollectionAssert.AreEqual(new[] { -1, 1, 32, 32 }, session.InputMetadata["image"].Dimensions);
        Assert.IsGreaterThan(0L, new FileInfo(zip).Length);
    }

    [TestMethod]
    public void Export_DefaultOutput_WritesModelOnnxIntoTheFolderWhichPredictionUses()
    {
        string model = Path.Combine(_dir, "unet");
        var network = new UNetOptions { BaseFilters = 4, Depth = 2 };
        using (UNet2d net = OnnxTestNetworks.UNet(network))
            WriteModel(model, net, new ModelDescription { Network = network, Preprocessing = new PreprocessingOptions { Size = 32 } });

        var (code, output) = CliRunner.Run("export", "--model", model);

        Assert.AreEqual(0, code, output);
        Assert.IsTrue(File.Exists(Path.Combine(model, "model.onnx")), "model.onnx beside model.zip");
        using var loaded = CardiacModel.Load(model);
        Assert.AreEqual("ONNX Runtime", loaded.Segmentation!.Model.Backend.Name);
    }

    [TestMethod]
    public void Predict_AfterExport_OnnxRuntimeAndTorchSharpBackendsWriteTheSameLabels()
    {
        string model = Path.Combine(_dir, "unet");
        var network = new UNetOptions { BaseFilters = 4, Depth = 2 };
        using (UNet2d net = OnnxTestNetworks.UNet(network))
            WriteModel(model, net, new ModelDescription { Network = network, Preprocessing = new PreprocessingOptions { Size = 32, SpacingMm = 2 } });
        Assert.AreEqual(0, CliRunner.Run("export", "--model", model).Code);
        var random = new Random(2);
        var voxels = new float[40 * 36 * 3];
        for (int i = 0; i < voxels.Length; i++) voxels[i] = (float)(100 + 50 * random.NextDouble() + (i % 40 > 20 ? 80 : 0));
        string image = Path.Combine(_dir, "image.nii.gz");
        MLCardiac.Imaging.NiftiWriter.Write(new MLCardiac.Imaging.Volume(voxels, [40, 36, 3], new MLCardiac.Imaging.Spacing(1.5, 1.5, 8)), image);
        string viaOnnx = Path.Combine(_dir, "onnx.nii.gz"), viaTorch = Path.Combine(_dir, "torch.nii.gz");

        var (code1, text1) = CliRunner.Run("predict", image, "--model", model, "--out", viaOnnx);
        var (code2, text2) = CliRunner.Run("predict", image, "--model", model, "--out", viaTorch, "--backend", "torchsharp");

        Assert.AreEqual(0, code1, text1);
        Assert.AreEqual(0, code2, text2);
        StringAssert.Contains(text1, "(ONNX Runtime)");
        StringAssert.Contains(text2, "(TorchSharp)");
        float[] labels = MLCardiac.Imaging.NiftiReader.Read(viaOnnx).Voxels.ToArray();
        CollectionAssert.AreEqual(MLCardiac.Imaging.NiftiReader.Read(viaTorch).Voxels.ToArray(), labels);
        Assert.IsGreaterThan(1, labels.Distinct().Count(), "more than one label predicted");
    }

    [TestMethod]
    public void ExportThenPredict_VNetModelFolder_StackInputAndBothBackendsWriteTheSameLabels()
    {
        string model = Path.Combine(_dir, "vnet");
        var network = new UNetOptions { Kind = NetworkKind.VNet, BaseFilters = 4, Depth = 3, InPlaneStages = 2, PatchDepth = 4 };
        Directory.CreateDirectory(model);
        using (SegmentationNetwork net = OnnxTestNetworks.Network(network))
            CardiacModel.Write(Path.Combine(model, CardiacModel.FileName), net, new ModelDescription { Network = network, Preprocessing = new PreprocessingOptions { Size = 32, SpacingMm = 2 } });
        var (exportCode, exportText) = CliRunner.Run("export", "--model", model);
        Assert.AreEqual(0, exportCode, exportText);
        using (var session = new InferenceSession(Path.Combine(model, "model.onnx")))
            CollectionAssert.AreEqual(new[] { -1, 1, 4, 32, 32 }, session.InputMetadata["image"].Dimensions);
        // 7 slices through a 4-deep patch: windows at 0, 2 and 3
        var random = new Random(3);
        var voxels = new float[40 * 36 * 7];
        for (int i = 0; i < voxels.Length; i++) voxels[i] = (float)(100 + 50 * random.NextDouble() + (i % 40 > 20 ? 80 : 0));
        string image = Path.Combine(_dir, "image.nii.gz");
        MLCardiac.Imaging.NiftiWriter.Write(new MLCardiac.Imaging.Volume(voxels, [40, 36, 7], new MLCardiac.Imaging.Spacing(1.5, 1.5, 8)), image);
        string viaOnnx = Path.Combine(_dir, "onnx.nii.gz"), viaTorch = Path.Combine(_dir, "torch.nii.gz");

        var (code1, text1) = CliRunner.Run("predict", image, "--model", model, "--out", viaOnnx);
        var (code2, text2) = CliRunner.Run("predict", image, "--model", model, "--out", viaTorch, "--backend", "torchsharp");

        Assert.AreEqual(0, code1, text1);
        Assert.AreEqual(0, code2, text2);
        StringAssert.Contains(text1, "(ONNX Runtime)");
        StringAssert.Contains(text2, "(TorchSharp)");
        float[] labels = MLCardiac.Imaging.NiftiReader.Read(viaOnnx).Voxels.ToArray();
        CollectionAssert.AreEqual(MLCardiac.Imaging.NiftiReader.Read(viaTorch).Voxels.ToArray(), labels);
        Assert.IsGreaterThan(1, labels.Distinct().Count(), "more than one label predicted");
    }

    [TestMethod]
    public void ModelConvertThenExport_LegacyVendorClassifierFolder_WritesClassifierOnnx()
    {
        // A vendor-classifier folder as earlier releases wrote it: description JSON + TorchSharp weights, no checksum.
        string model = Path.Combine(_dir, "vendor");
        Directory.CreateDirectory(model);
        var options = new ResNetOptions { BaseWidth = 4, BlocksPerStage = [1, 1], Classes = 2 };
        using (var network = OnnxTestNetworks.ResNet(options))
        using (var w = new BinaryWriter(File.Create(Path.Combine(model, "vendor-classifier.weights"))))
            network.save(w);
        File.WriteAllText(Path.Combine(model, "vendor-classifier.json"), System.Text.Json.JsonSerializer.Serialize(new
        {
            SchemaVersion = 1, Network = options, Vendors = new[] { "A", "B" }, Threshold = 0.5, Preprocessing = new PreprocessingOptions { Size = 32 },
        }));
        string onnx = Path.Combine(_dir, "vendor.onnx");

        var (refused, refusedText) = CliRunner.Run("export", "--model", model, "--onnx", onnx);
        Assert.AreEqual(1, refused);
        StringAssert.Contains(refusedText, "mlcardiac model convert");
        var (converted, convertedText) = CliRunner.Run("model", "convert", model);
        Assert.AreEqual(0, converted, convertedText);
        var (code, output) = CliRunner.Run("export", "--model", model, "--onnx", onnx);

        Assert.AreEqual(0, code, output);
        using var session = new InferenceSession(onnx);
        Assert.AreEqual("vendor-classifier", session.ModelMetadata.CustomMetadataMap[OnnxModelMetadata.Kind]);
        Assert.AreEqual("0:A,1:B", session.ModelMetadata.CustomMetadataMap[OnnxModelMetadata.Labels]);
    }

    [TestMethod]
    public void Export_MissingFolderOrBadOutputs_ExitsOneNamingTheProblem()
    {
        string missing = Path.Combine(_dir, "nope");
        var (code, output) = CliRunner.Run("export", "--model", missing, "--onnx", Path.Combine(_dir, "x.onnx"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(output, missing);

        var (code2, output2) = CliRunner.Run("export", "--model", _dir, "--outputs", "scores");
        Assert.AreEqual(1, code2);
        StringAssert.Contains(output2, "'scores'");
    }
}
