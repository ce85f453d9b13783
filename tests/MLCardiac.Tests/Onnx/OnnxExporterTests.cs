using System.Globalization;
using MLCardiac.Inference;
using MLCardiac.Models;
using MLCardiac.Onnx;
using MLCardiac.Preprocessing;

namespace MLCardiac.Tests.Onnx;

[TestClass]
public sealed class OnnxExporterTests
{
    private static readonly PreprocessingOptions Prep64 = new() { Size = 64, SpacingMm = 1.5 };

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow(NormalizationKind.Instance, ActivationKind.LeakyReLU, 3, 0.0)]
    [DataRow(NormalizationKind.Instance, ActivationKind.LeakyReLU, 4, 0.0)]
    [DataRow(NormalizationKind.Batch, ActivationKind.ReLU, 3, 0.0)]
    [DataRow(NormalizationKind.Batch, ActivationKind.LeakyReLU, 4, 0.3)]
    [DataRow(NormalizationKind.Group, ActivationKind.LeakyReLU, 3, 0.2)]
    public void ExportSegmentation_RandomInput_OnnxRuntimeLogitsEqualTorchSharp(NormalizationKind norm, ActivationKind act, int depth, double dropout)
    {
        var options = new UNetOptions { BaseFilters = 8, Depth = depth, Normalization = norm, Groups = 4, Activation = act, Dropout = dropout, DeepSupervision = true };
        using UNet2d net = OnnxTestNetworks.UNet(options);
        byte[] onnx = OnnxExporter.ExportSegmentation(net, Prep64, new OnnxExportOptions { Outputs = OnnxOutputs.Logits | OnnxOutputs.Probabilities | OnnxOutputs.Labels });
        long[] shape = [3, 1, 64, 64];
        float[] x = OnnxTestNetworks.RandomInput(3 * 64 * 64, seed: depth);

        float[] expected = OnnxTestNetworks.Torch(net, x, shape);
        var outputs = OnnxTestNetworks.Run(onnx, x, shape);

        CollectionAssert.AreEqual(new long[] { 3, 4, 64, 64 }, outputs["logits"].Shape);
        float diff = OnnxTestNetworks.MaxAbsDifference(expected, outputs["logits"].Floats);
        TestContext.WriteLine($"max |logit difference| {diff:E2}, logits up to {expected.Max(MathF.Abs):F1}");
        Assert.IsLessThan(1e-4f, diff, $"max |logit difference| {diff}");
        // labels = arg-max of the graph's own logits, probabilities = their softmax
        float[] logits = outputs["logits"].Floats!;
        long[] labels = outputs["labels"].Longs!;
        float[] probabilities = outputs["probabilities"].Floats!;
        CollectionAssert.AreEqual(new long[] { 3, 64, 64 }, outputs["labels"].Shape);
        int px = 64 * 64;
        for (int n = 0; n < 3; n++)
            for (int i = 0; i < px; i++)
            {
                int best = 0;
                double sum = 0;
                for (int c = 0; c < 4; c++)
                {
                    if (logits[(n * 4 + c) * px + i] > logits[(n * 4 + best) * px + i]) best = c;
                    sum += probabilities[(n * 4 + c) * px + i];
                }
                Assert.AreEqual(best, labels[n * px + i]);
                Assert.AreEqual(1.0, sum, 1e-5);
            }
    }

    [TestMethod]
    public void ExportClassifier_RandomInput_OnnxRuntimeLogitsEqualTorchSharp()
    {
        var options = new ResNetOptions { BaseWidth = 8, BlocksPerStage = [2, 1, 1], Classes = 3, Dropout = 0.2 };
        using ResNetClassifier net = OnnxTestNetworks.ResNet(options);
        byte[] onnx = OnnxExporter.ExportClassifier(net, ["A", "B", "C"], Prep64, new OnnxExportOptions { Outputs = OnnxOutputs.Logits | OnnxOutputs.Labels });
        long[] shape = [5, 1, 64, 64];
        float[] x = OnnxTestNetworks.RandomInput(5 * 64 * 64, seed: 7);

        float[] expected = OnnxTestNetworks.Torch(net, x, shape);
        var outputs = OnnxTestNetworks.Run(onnx, x, shape);

        CollectionAssert.AreEqual(new long[] { 5, 3 }, outputs["logits"].Shape);
        float diff = OnnxTestNetworks.MaxAbsDifference(expected, outputs["logits"].Floats);
        TestContext.WriteLine($"max |logit difference| {diff:E2}, logits up to {expected.Max(MathF.Abs):F1}");
        Assert.IsLessThan(1e-4f, diff, $"max |logit difference| {diff}");
        for (int n = 0; n < 5; n++)
            Assert.AreEqual(Array.IndexOf(expected, expected.Skip(n * 3).Take(3).Max(), n * 3) - n * 3, outputs["labels"].Longs![n]);
    }

    // Widths keep every 3×3 and 5×5 convolution's input at ≤ 8 or a multiple of 8 channels: libtorch's oneDNN forward
    // convolution is wrong on other counts under the AVX cap on the AMD development machine (see VendorClassifierNetwork).
    public static IEnumerable<object[]> OtherClassifiers =>
    [
        ["densenet", new DenseNetOptions { GrowthRate = 4, BlockSizes = [2, 3, 2], Classes = 3, Dropout = 0.2 }],
        ["densenet, odd sizes", new DenseNetOptions { GrowthRate = 3, BlockSizes = [1, 2], InitialWidth = 5, BottleneckFactor = 2, Compression = 0.7, Classes = 4 }],
        ["inception", new InceptionOptions { BaseWidth = 16, ModulesPerStage = [1, 2, 1], Classes = 3, Dropout = 0.4 }],
        ["inception, one stage", new InceptionOptions { BaseWidth = 32, ModulesPerStage = [2], Classes = 2 }],
    ];

    [TestMethod]
    [DynamicData(nameof(OtherClassifiers))]
    public void ExportClassifier_DenseNetAndInception_OnnxRuntimeLogitsEqualTorchSharp(string name, ClassifierNetworkOptions options)
    {
        // 62 × 62: odd sizes after the stride-2 stem (31) check the floor of AveragePool and of the padded MaxPool.
        foreach (int size in new[] { 64, 62 })
        {
            using VendorClassifierNetwork net = OnnxTestNetworks.Classifier(options, seed: size);
            string[] names = [.. Enumerable.Range(0, options.Classes).Select(i => $"V{i}")];
            var prep = Prep64 with { Size = size };
            byte[] onnx = OnnxExporter.ExportClassifier(net, names, prep, new OnnxExportOptions { Outputs = OnnxOutputs.Logits | OnnxOutputs.Labels });
            long[] shape = [5, 1, size, size];
            float[] x = OnnxTestNetworks.RandomInput(5 * size * size, seed: 11);

            float[] expected = OnnxTestNetworks.Torch(net, x, shape);
            var outputs = OnnxTestNetworks.Run(onnx, x, shape);

            CollectionAssert.AreEqual(new long[] { 5, options.Classes }, outputs["logits"].Shape);
            float diff = OnnxTestNetworks.MaxAbsDifference(expected, outputs["logits"].Floats);
            TestContext.WriteLine($"{name}, {size}²: max |logit difference| {diff:E2}, logits up to {expected.Max(MathF.Abs):F1}");
            Assert.IsLessThan(1e-4f, diff, $"{name}, {size}²: max |logit difference| {diff}");
            Assert.IsGreaterThan(1e-2f, expected.Max() - expected.Min(), "the logits differ between classes and slices (a test of something)");
            int k = options.Classes;
            for (int n = 0; n < 5; n++)
                Assert.AreEqual(Array.IndexOf(expected, expected.Skip(n * k).Take(k).Max(), n * k) - n * k, outputs["labels"].Longs![n]);
        }
    }

    [TestMethod]
    public void ExportSegmentation_BatchOfOneAndOfFour_SameSliceGivesSameLogits()
    {
        using UNet2d net = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 4, Depth = 3 });
        byte[] onnx = OnnxExporter.ExportSegmentation(net, Prep64, new OnnxExportOptions { Outputs = OnnxOutputs.Logits });
        float[] four = OnnxTestNetworks.RandomInput(4 * 64 * 64, seed: 3);

        float[] batch = OnnxTestNetworks.Run(onnx, four, [4, 1, 64, 64])["logits"].Floats!;
        float[] single = OnnxTestNetworks.Run(onnx, four.AsSpan(2 * 4096, 4096).ToArray(), [1, 1, 64, 64])["logits"].Floats!;

        Assert.IsLessThan(1e-5f, OnnxTestNetworks.MaxAbsDifference(batch.AsSpan(2 * 4 * 4096, 4 * 4096), single));
    }

    [TestMethod]
    public void ExportSegmentation_SplitSkipConvolutions_SameLogitsAndLabelsAsTheConcatGraph()
    {
        // The decoder's first convolutions are written as Conv(up) + Conv(skip) instead of one Conv over a Concat
        // (faster in ONNX Runtime): the numbers must stay those of the graph exported before.
        using UNet2d net = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 16, Depth = 4 }, seed: 7);
        var outputs = new OnnxExportOptions { Outputs = OnnxOutputs.Logits | OnnxOutputs.Probabilities | OnnxOutputs.Labels };
        byte[] split = OnnxExporter.ExportSegmentation(net, Prep64, outputs);
        byte[] concat = OnnxExporter.ExportSegmentation(net, Prep64, outputs with { ConcatSkips = true });
        long[] shape = [4, 1, 64, 64];
        float[] x = OnnxTestNetworks.RandomInput(4 * 64 * 64, seed: 11);

        var a = OnnxTestNetworks.Run(split, x, shape);
        var b = OnnxTestNetworks.Run(concat, x, shape);
        float logits = OnnxTestNetworks.MaxAbsDifference(b["logits"].Floats!, a["logits"].Floats);
        float probabilities = OnnxTestNetworks.MaxAbsDifference(b["probabilities"].Floats!, a["probabilities"].Floats);
        int differing = a["labels"].Longs!.Zip(b["labels"].Longs!).Count(p => p.First != p.Second);
        TestContext.WriteLine($"split vs concat graph: max |Δlogit| {logits:E2}, max |Δp| {probabilities:E2}, {differing} of {a["labels"].Longs!.Length} labels differ");

        Assert.IsLessThan(1e-4f, logits);
        Assert.IsLessThan(1e-4f, probabilities);
        Assert.AreEqual(0, differing);
        Assert.IsLessThan(1e-4f, OnnxTestNetworks.MaxAbsDifference(OnnxTestNetworks.Torch(net, x, shape), a["logits"].Floats));
    }

    [TestMethod]
    public void ExportSegmentation_SplitSkipConvolutions_NoConcatLeftWithInstanceNormOnly()
    {
        using UNet2d instance = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 4, Depth = 2 });
        using UNet2d batch = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 4, Depth = 2, Normalization = NormalizationKind.Batch });
        static int Concats(byte[] onnx) => MLCardiac.Onnx.Protobuf.ModelProto.Parser.ParseFrom(onnx).Graph.Node.Count(n => n.OpType == "Concat");

        Assert.AreEqual(0, Concats(OnnxExporter.ExportSegmentation(instance, Prep64)));
        Assert.AreEqual(2, Concats(OnnxExporter.ExportSegmentation(instance, Prep64, new OnnxExportOptions { ConcatSkips = true })));
        Assert.AreEqual(2, Concats(OnnxExporter.ExportSegmentation(batch, Prep64)), "batch norm keeps Concat + one Conv, which ONNX Runtime folds it into");
    }

    [TestMethod]
    public void ExportSegmentation_NormalizeSlices_EqualsTorchSharpOnZScoredSlices()
    {
        using UNet2d net = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 4, Depth = 3 });
        byte[] onnx = OnnxExporter.ExportSegmentation(net, Prep64, new OnnxExportOptions { Outputs = OnnxOutputs.Logits, NormalizeSlices = true });
        float[] raw = OnnxTestNetworks.RandomInput(2 * 4096, seed: 5).Select(v => 300 + 80 * v).ToArray();
        float[] zScored = (float[])raw.Clone();
        for (int n = 0; n < 2; n++)
        {
            Span<float> s = zScored.AsSpan(n * 4096, 4096);
            double mean = 0, sq = 0;
            foreach (float v in s) mean += v;
            mean /= s.Length;
            foreach (float v in s) sq += (v - mean) * (v - mean);
            double std = Math.Sqrt(sq / s.Length + 1e-5);
            for (int i = 0; i < s.Length; i++) s[i] = (float)((s[i] - mean) / std);
        }

        float[] expected = OnnxTestNetworks.Torch(net, zScored, [2, 1, 64, 64]);
        float[] actual = OnnxTestNetworks.Run(onnx, raw, [2, 1, 64, 64])["logits"].Floats!;

        Assert.IsLessThan(1e-4f, OnnxTestNetworks.MaxAbsDifference(expected, actual));
    }

    [TestMethod]
    public void ExportSegmentation_WritesOpsetProducerMetadataAndDynamicBatch()
    {
        using UNet2d net = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 4, Depth = 2 });
        string path = Path.Combine(Path.GetTempPath(), $"mlcardiac-onnx-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, OnnxExporter.ExportSegmentation(net, Prep64));
        try
        {
            OnnxModelInfo info = OnnxModelInfo.Read(path);

            Assert.AreEqual(17L, info.Opset);
            StringAssert.StartsWith(info.Producer, "MLCardiac ");
            Assert.AreEqual("image", info.InputName);
            CollectionAssert.AreEqual(new long?[] { null, 1, 64, 64 }, info.InputShape.ToArray());
            CollectionAssert.AreEqual(new[] { "logits", "labels" }, info.OutputNames.ToArray());
            Assert.AreEqual("segmentation", info.Metadata[OnnxModelMetadata.Kind]);
            Assert.AreEqual("0:background,1:LV,2:MYO,3:RV", info.Metadata[OnnxModelMetadata.Labels]);
            Assert.AreEqual(1.5, double.Parse(info.Metadata[OnnxModelMetadata.SpacingMm], CultureInfo.InvariantCulture));
            Assert.AreEqual("64", info.Metadata[OnnxModelMetadata.Size]);
            Assert.AreEqual(OnnxModelMetadata.NormalizationByCaller, info.Metadata[OnnxModelMetadata.InputNormalization]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow(18)]
    [DataRow(21)]
    public void ExportSegmentation_LaterOpset_GivesTheSameLogits(int opset)
    {
        using UNet2d net = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 8, Depth = 3, Normalization = NormalizationKind.Group, Groups = 4 });
        float[] x = OnnxTestNetworks.RandomInput(4096, seed: 9);
        byte[] onnx = OnnxExporter.ExportSegmentation(net, Prep64, new OnnxExportOptions { Outputs = OnnxOutputs.Logits, Opset = opset });

        float[] actual = OnnxTestNetworks.Run(onnx, x, [1, 1, 64, 64])["logits"].Floats!;

        Assert.IsLessThan(1e-4f, OnnxTestNetworks.MaxAbsDifference(OnnxTestNetworks.Torch(net, x, [1, 1, 64, 64]), actual));
    }

    [TestMethod]
    public void CardiacModelLoad_FolderWithoutModel_ThrowsNamingTheFolderAndTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("mlcardiac-empty-").FullName;
        try
        {
            var e = Assert.ThrowsExactly<MLCardiacException>(() => MLCardiac.ML.CardiacModel.Load(dir));
            StringAssert.Contains(e.Message, dir);
            StringAssert.Contains(e.Message, "model.zip");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ExportSegmentation_SizeNotDivisibleByTwoToTheDepth_ThrowsNamingSize()
    {
        using UNet2d net = OnnxTestNetworks.UNet(new UNetOptions { BaseFilters = 4, Depth = 4 });
        var e = Assert.ThrowsExactly<MLCardiacException>(() => OnnxExporter.ExportSegmentation(net, Prep64, new OnnxExportOptions { Size = 40 }));
        StringAssert.Contains(e.Message, "40");
    }

    [TestMethod]
    public void OnnxModelInfo_CorruptFile_ThrowsNamingTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlcardiac-corrupt-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0x0F, 0x12, 0x34]);
        try
        {
            var e = Assert.ThrowsExactly<MLCardiacException>(() => OnnxModelInfo.Read(path));
            StringAssert.Contains(e.Message, path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
