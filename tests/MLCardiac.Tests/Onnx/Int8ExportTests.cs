using MLCardiac.Data;
using MLCardiac.Evaluation;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Models;
using MLCardiac.Onnx;
using MLCardiac.Preprocessing;
using MLCardiac.Tests.Cli;
using MLCardiac.Tests.Server;
using Microsoft.ML.OnnxRuntime;

namespace MLCardiac.Tests.Onnx;

[TestClass]
public sealed class Int8ExportTests
{
    private string _dir = "";

    [TestInitialize]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"mlcardiac-int8-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void ExportSegmentationInt8_OnnxRuntimeRunsIntegerConvolutions_AndLabelsAgreeWithFloat()
    {
        var options = new UNetOptions { BaseFilters = 8, Depth = 3 };
        using UNet2d net = OnnxTestNetworks.UNet(options);
        var preprocessing = new PreprocessingOptions { Size = 32 };
        const int calibration = 24, test = 8, pixels = 32 * 32;
        float[] slices = OnnxTestNetworks.RandomInput(calibration * pixels, seed: 5);
        float[] input = OnnxTestNetworks.RandomInput(test * pixels, seed: 6);

        byte[] int8 = OnnxExporter.ExportSegmentationInt8(net, preprocessing, slices, calibration);
        byte[] fp32 = OnnxExporter.ExportSegmentation(net, preprocessing);

        // ONNX Runtime fuses each quantized group into an integer convolution: the optimised graph says so.
        string optimized = Path.Combine(_dir, "optimized.onnx");
        using (var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = optimized })
        using (new InferenceSession(int8, so)) { }
        var graph = MLCardiac.Onnx.Protobuf.ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph;
        int integerConvs = graph.Node.Count(n => n.OpType == "QLinearConv");
        Assert.AreEqual(2 * (options.Depth + 1) - 1 + 2 * options.Depth, integerConvs, "every 3×3 convolution but the first runs as QLinearConv");

        long[] shape = [test, 1, 32, 32];
        var q = OnnxTestNetworks.Run(int8, input, shape);
        var f = OnnxTestNetworks.Run(fp32, input, shape);
        long[] ql = q["labels"].Longs!, fl = f["labels"].Longs!;
        double agreement = ql.Zip(fl, (a, b) => a == b ? 1.0 : 0.0).Average();
        Assert.IsGreaterThan(0.90, agreement, $"labels (an untrained network: many near-ties) of the int8 and float models agree on {agreement:P1} of pixels");
        float[] qLogits = q["logits"].Floats!, fLogits = f["logits"].Floats!;
        float range = fLogits.Max() - fLogits.Min();
        double meanError = qLogits.Zip(fLogits, (a, b) => Math.Abs(a - b)).Average();
        Assert.IsLessThan(0.02 * range, meanError, $"mean |Δlogit| {meanError:G3} against a logit range of {range:G3}");
        Assert.IsTrue(new InferenceSession(int8).ModelMetadata.CustomMetadataMap[OnnxModelMetadata.Quantization].StartsWith("int8 QDQ", StringComparison.Ordinal));
    }

    [TestMethod]
    public void ExportSegmentationInt8_CalibrationOfWrongLength_ThrowsNamingTheCounts()
    {
        using UNet2d net = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 4, Depth = 2 });
        var e = Assert.ThrowsExactly<MLCardiacException>(() =>
            OnnxExporter.ExportSegmentationInt8(net, new PreprocessingOptions { Size = 32 }, new float[100], 2));
        StringAssert.Contains(e.Message, "2 slices of 32×32");
    }

    [TestMethod]
    public void ExportInt8_TrainedModelFolder_PredictsAsTheFloatModelOnUnseenVendor()
    {
        var fixture = ServerFixture.Shared;
        string model = Path.Combine(_dir, "model");
        Directory.CreateDirectory(model);
        foreach (string file in Directory.GetFiles(fixture.ModelDirectory)) File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        File.Delete(Path.Combine(model, "model.int8.onnx"));
        string data = Path.Combine(fixture.Root, "data");

        var missing = Assert.ThrowsExactly<MLCardiacException>(() => CardiacModel.Load(model, SegmentationBackend.OnnxRuntimeInt8));
        StringAssert.Contains(missing.Message, "model.int8.onnx");
        var (noData, noDataText) = CliRunner.Run("export", "--model", model, "--int8");
        Assert.AreEqual(1, noData);
        StringAssert.Contains(noDataText, "--calibration-data");

        var (badVendor, badVendorText) = CliRunner.Run("export", "--model", model, "--int8", "--calibration-data", data, "--calibration-vendors", "Z");
        Assert.AreEqual(1, badVendor);
        StringAssert.Contains(badVendorText, "\"Z\"");

        // Calibrated on the training vendor's images only; vendor B stays unseen.
        var (code, text) = CliRunner.Run("export", "--model", model, "--int8", "--calibration-data", data, "--calibration-subjects", "2", "--calibration-vendors", "A");
        Assert.AreEqual(0, code, text);
        StringAssert.Contains(text, "model.int8.onnx");

        using var int8 = CardiacModel.Load(model, SegmentationBackend.OnnxRuntimeInt8);
        using var fp32 = CardiacModel.Load(model, SegmentationBackend.OnnxRuntime, null, exportOnnxIfMissing: true);
        Assert.AreEqual("ONNX Runtime, int8", int8.Segmentation!.Model.Backend.Name);
        var cardiac = new Microsoft.ML.MLContext(1).CardiacSegmentation();
        var records = cardiac.Data.FromRecords(DatasetLayouts.Load(data).Records.Where(r => r.IsLabeled && r.Vendor == "B"));
        var a = cardiac.Evaluate(fp32.Pipeline.Transform(records)).Cases;
        var b = cardiac.Evaluate(int8.Pipeline.Transform(records)).Cases;
        double Mean(IEnumerable<CaseResult> cases) => cases.Average(c => (c.Lv.Dice + c.Myo.Dice + c.Rv.Dice) / 3);
        // The shared fixture's small model, trained briefly on vendor A, reaches about 0.4 on the phantom's unseen vendor B:
        // enough structure segmented for the float/int8 comparison to mean something.
        Assert.IsGreaterThan(0.3, Mean(a), "the fixture's model segments vendor B at all");
        Assert.IsLessThan(0.02, Math.Abs(Mean(a) - Mean(b)), $"float {Mean(a):F4}, int8 {Mean(b):F4}");
    }
}
