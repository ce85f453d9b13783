using System.Text.Json;
using MLCardiac.Inference;
using MLCardiac.Models;
using MLCardiac.Onnx;
using MLCardiac.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Onnx;

/// <summary>ONNX export of the 3D networks (<see cref="UNet3d"/>, <see cref="VNet"/>) and their stack-windowed ONNX Runtime backend.</summary>
[TestClass]
public sealed class VolumetricOnnxTests
{
    private const int Size = 32, Patch = 8;
    private static readonly PreprocessingOptions Prep32 = new() { Size = Size, SpacingMm = 1.5 };

    public TestContext TestContext { get; set; } = null!;

    /// <summary>Depth 3 with one in-plane stage: kernels 1 then 3 through-plane, two through-plane down-samplings (patch 8 → 2).</summary>
    private static UNetOptions Options(NetworkKind kind, NormalizationKind norm = NormalizationKind.Instance) => new()
    {
        Kind = kind, BaseFilters = 4, Depth = 3, InPlaneStages = 1, PatchDepth = Patch, Normalization = norm, Groups = 2,
        DeepSupervision = kind == NetworkKind.UNet3d, Dropout = kind == NetworkKind.UNet3d ? 0.2 : 0,
    };

    [TestMethod]
    [DataRow(NetworkKind.UNet3d, NormalizationKind.Instance)]
    [DataRow(NetworkKind.UNet3d, NormalizationKind.Group)]
    [DataRow(NetworkKind.VNet, NormalizationKind.Instance)]
    [DataRow(NetworkKind.VNet, NormalizationKind.Batch)]
    public void ExportSegmentation_VolumetricNetwork_OnnxRuntimeLogitsEqualTorchSharp(NetworkKind kind, NormalizationKind norm)
    {
        using var scope = torch.NewDisposeScope();
        UNetOptions options = Options(kind, norm);
        using SegmentationNetwork net = OnnxTestNetworks.Network(options);
        if (norm == NormalizationKind.Batch) RunningStatisticsFromActivations(net);
        byte[] onnx = OnnxExporter.ExportSegmentation(net, Prep32, new OnnxExportOptions { Outputs = OnnxOutputs.Logits | OnnxOutputs.Labels });
        long[] shape = [2, 1, Patch, Size, Size];
        float[] x = OnnxTestNetworks.RandomInput(2 * Patch * Size * Size, seed: (int)kind + 10 * (int)norm);

        float[] expected = OnnxTestNetworks.Torch(net, x, shape);
        var outputs = OnnxTestNetworks.Run(onnx, x, shape);

        CollectionAssert.AreEqual(new long[] { 2, 4, Patch, Size, Size }, outputs["logits"].Shape);
        CollectionAssert.AreEqual(new long[] { 2, Patch, Size, Size }, outputs["labels"].Shape);
        float diff = OnnxTestNetworks.MaxAbsDifference(expected, outputs["logits"].Floats);
        float largest = expected.Max(MathF.Abs);
        TestContext.WriteLine($"{kind.Name()} {norm}: max |logit difference| {diff:E2}, logits up to {largest:F2}");
        Assert.IsLessThan(1e-4f, diff, $"max |logit difference| {diff}");
        Assert.IsGreaterThan(0.5f, largest, "logits are not trivially small");
        int[] argMax = ArgMax(expected, 2, Patch * Size * Size); // [2, 4, P, S, S]: a sample's class planes are its stack's
        Assert.IsGreaterThan(1, argMax.Distinct().Count(), "more than one class predicted");
        CollectionAssert.AreEqual(argMax.Select(l => (long)l).ToArray(), outputs["labels"].Longs);

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        CollectionAssert.AreEqual(new[] { -1, 1, Patch, Size, Size }, session.InputMetadata["image"].Dimensions);
        Assert.AreEqual(options, JsonSerializer.Deserialize<UNetOptions>(session.ModelMetadata.CustomMetadataMap[OnnxModelMetadata.Network]));
    }

    [TestMethod]
    [DataRow(NetworkKind.UNet3d, 13)]
    [DataRow(NetworkKind.VNet, 13)]
    [DataRow(NetworkKind.UNet3d, 5)]
    public void Predict_VolumetricModel_OnnxRuntimeBackendEqualsTorchSharpBackend(NetworkKind kind, int count)
    {
        using var scope = torch.NewDisposeScope();
        SegmentationNetwork net = OnnxTestNetworks.Network(Options(kind), seed: 3);
        byte[] onnx = OnnxExporter.ExportSegmentation(net, Prep32);
        using var torchBackend = new TorchSharpBackend(net, ownsNetwork: true);
        using var onnxBackend = new OnnxRuntimeBackend(onnx, "3d.onnx", new OnnxSegmentationOptions { Runtime = new OnnxRuntimeSettings { ConcurrentRuns = 2 } });
        float[] slices = OnnxTestNetworks.RandomInput(count * Size * Size, seed: count);
        float[] expected = new float[count * 4 * Size * Size], actual = new float[expected.Length];

        torchBackend.Predict(slices, count, Size, expected);
        onnxBackend.Predict(slices, count, Size, actual);

        Assert.IsTrue(onnxBackend.WholeStack, "a stack model takes whole volumes");
        Assert.AreEqual(Patch, onnxBackend.PatchDepth);
        float diff = OnnxTestNetworks.MaxAbsDifference(expected, actual);
        TestContext.WriteLine($"{kind.Name()}, {count} slices (windows at {string.Join(", ", SegmentationNetwork.WindowStarts(count, Patch))}): max |probability difference| {diff:E2}");
        Assert.IsLessThan(1e-4f, diff, $"max |probability difference| {diff}");
        int[] labels = ArgMax(expected, count, Size * Size);
        Assert.IsGreaterThan(1, labels.Distinct().Count(), "more than one class predicted");
        CollectionAssert.AreEqual(labels, ArgMax(actual, count, Size * Size), "arg-max labels");
    }

    [TestMethod]
    public void Predict_StackModelWithLabelsOutputOnly_OneHotOfTorchSharpArgMax()
    {
        using var scope = torch.NewDisposeScope();
        const int count = 6;
        SegmentationNetwork net = OnnxTestNetworks.Network(Options(NetworkKind.VNet), seed: 8);
        byte[] onnx = OnnxExporter.ExportSegmentation(net, Prep32, new OnnxExportOptions { Outputs = OnnxOutputs.Labels });
        using var torchBackend = new TorchSharpBackend(net, ownsNetwork: true);
        using var onnxBackend = new OnnxRuntimeBackend(onnx, "labels.onnx");
        float[] slices = OnnxTestNetworks.RandomInput(count * Size * Size, seed: 9);
        float[] expected = new float[count * 4 * Size * Size], actual = new float[expected.Length];

        torchBackend.Predict(slices, count, Size, expected);
        onnxBackend.Predict(slices, count, Size, actual);

        int[] labels = ArgMax(expected, count, Size * Size);
        Assert.IsGreaterThan(1, labels.Distinct().Count(), "more than one class predicted");
        CollectionAssert.AreEqual(labels, ArgMax(actual, count, Size * Size), "labels");
        Assert.IsTrue(actual.All(p => p is 0f or 1f) && actual.Sum() == count * Size * Size, "one-hot");
    }

    [TestMethod]
    public void ExportSegmentation_EnsembleOfUNet3dAndVNet_BackendEqualsTorchSharpEnsemble()
    {
        using var scope = torch.NewDisposeScope();
        const int count = 13;
        SegmentationNetwork a = OnnxTestNetworks.Network(Options(NetworkKind.UNet3d), seed: 4);
        SegmentationNetwork b = OnnxTestNetworks.Network(Options(NetworkKind.VNet), seed: 5);
        byte[] onnx = OnnxExporter.ExportSegmentation([a, b], Prep32, new OnnxExportOptions { Outputs = OnnxOutputs.Probabilities });
        using var torchBackend = new EnsembleBackend([new TorchSharpBackend(a, ownsNetwork: true), new TorchSharpBackend(b, ownsNetwork: true)]);
        using var onnxBackend = new OnnxRuntimeBackend(onnx, "ensemble.onnx");
        float[] slices = OnnxTestNetworks.RandomInput(count * Size * Size, seed: 6);
        float[] expected = new float[count * 4 * Size * Size], actual = new float[expected.Length];

        torchBackend.Predict(slices, count, Size, expected);
        onnxBackend.Predict(slices, count, Size, actual);

        Assert.IsTrue(torchBackend.WholeStack && onnxBackend.WholeStack);
        float diff = OnnxTestNetworks.MaxAbsDifference(expected, actual);
        TestContext.WriteLine($"ensemble unet3d + vnet, {count} slices: max |probability difference| {diff:E2}");
        Assert.IsLessThan(1e-4f, diff, $"max |probability difference| {diff}");
        int[] labels = ArgMax(expected, count, Size * Size);
        Assert.IsGreaterThan(1, labels.Distinct().Count(), "more than one class predicted");
        CollectionAssert.AreEqual(labels, ArgMax(actual, count, Size * Size), "arg-max labels");
    }

    [TestMethod]
    public void ExportSegmentation_MixedEnsembleUnequalPatchesOrSliceNormalization_ThrowsNamingTheProblem()
    {
        using var scope = torch.NewDisposeScope();
        using SegmentationNetwork flat = OnnxTestNetworks.Network(new UNetOptions { BaseFilters = 4, Depth = 3 });
        using SegmentationNetwork deep = OnnxTestNetworks.Network(Options(NetworkKind.UNet3d));
        using SegmentationNetwork deeper = OnnxTestNetworks.Network(Options(NetworkKind.VNet) with { PatchDepth = 12 });

        var mixed = Assert.ThrowsExactly<MLCardiacException>(() => OnnxExporter.ExportSegmentation([flat, deep], Prep32));
        var depths = Assert.ThrowsExactly<MLCardiacException>(() => OnnxExporter.ExportSegmentation([deep, deeper], Prep32));
        var normalize = Assert.ThrowsExactly<MLCardiacException>(() => OnnxExporter.ExportSegmentation(deep, Prep32, new OnnxExportOptions { NormalizeSlices = true }));

        StringAssert.Contains(mixed.Message, "mixes 2D and 3D networks (unet2d, unet3d)");
        StringAssert.Contains(depths.Message, "different patch depths (8, 12)");
        StringAssert.Contains(normalize.Message, "in-graph slice normalisation (--normalize-slices) is for 2D networks");
    }

    [TestMethod]
    public void ExportSegmentationInt8_VolumetricNetwork_ThrowsSayingInt8IsFor2D()
    {
        using var scope = torch.NewDisposeScope();
        using SegmentationNetwork net = OnnxTestNetworks.Network(Options(NetworkKind.VNet));
        float[] calibration = OnnxTestNetworks.RandomInput(4 * Size * Size, seed: 7);

        var e = Assert.ThrowsExactly<MLCardiacException>(() => OnnxExporter.ExportSegmentationInt8(net, Prep32, calibration, 4));

        Assert.AreEqual("int8 export is for 2D U-Nets; this model is a vnet (its calibration and quantized convolutions are written for slices). Export it in float32.", e.Message);
    }

    [TestMethod]
    [DataRow(13, 8, new[] { 0, 4, 5 })]
    [DataRow(16, 8, new[] { 0, 4, 8 })]
    [DataRow(9, 8, new[] { 0, 1 })]
    [DataRow(8, 8, new[] { 0 })]
    [DataRow(3, 8, new[] { 0 })]
    [DataRow(5, 1, new[] { 0, 1, 2, 3, 4 })]
    public void WindowStarts_StackAndPatch_HalfPatchStepsAndALastWindowFlushWithTheEnd(int count, int patch, int[] expected) =>
        CollectionAssert.AreEqual(expected, SegmentationNetwork.WindowStarts(count, patch).ToArray());

    /// <summary>
    /// Batch-norm running statistics from the network's own activations (one training-mode pass on random stacks with
    /// momentum 1), as after training; the affine parameters stay perturbed. With the random statistics alone the
    /// activations are never rescaled and the V-Net's residual sums grow to logits of ≈ 6,400, where float32 rounding
    /// alone is ≈ 1e-2.
    /// </summary>
    private static void RunningStatisticsFromActivations(SegmentationNetwork net)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var norm in net.modules().OfType<TorchSharp.Modules.BatchNorm3d>()) norm.momentum = 1.0;
        torch.manual_seed(11);
        net.train();
        net.call(rand([2, 1, Patch, Size, Size]).mul_(4).sub_(2));
        net.eval();
    }

    /// <summary>Arg-max over the 4 class planes of [n, 4, px] scores (logits or probabilities).</summary>
    private static int[] ArgMax(float[] scores, int n, int px)
    {
        var labels = new int[n * px];
        for (int s = 0; s < n; s++)
            for (int i = 0; i < px; i++)
            {
                int best = 0;
                for (int c = 1; c < 4; c++)
                    if (scores[(s * 4 + c) * px + i] > scores[(s * 4 + best) * px + i]) best = c;
                labels[s * px + i] = best;
            }
        return labels;
    }
}
