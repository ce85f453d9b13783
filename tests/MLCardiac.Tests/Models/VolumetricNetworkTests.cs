using MLCardiac.Augmentation;
using MLCardiac.Inference;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Models;

/// <summary>The anisotropic 3D U-Net and the V-Net: shapes, the anisotropic design, stack inference, persistence, stack augmentation.</summary>
[TestClass]
public sealed class VolumetricNetworkTests
{
    private static UNetOptions Options(NetworkKind kind, bool deep = false) =>
        new UNetOptions { Kind = kind, BaseFilters = 4, Depth = 3, DeepSupervision = deep }.WithDefaults();

    [TestMethod]
    public void UNet3d_Forward_GivesLogitsOfTheStack_PoolingInPlaneFirst()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new UNet3d(Options(NetworkKind.UNet3d, deep: true));

        UNetOutput o = net.ForwardAll(randn([2, 1, 8, 32, 48]));

        CollectionAssert.AreEqual(new long[] { 2, 4, 8, 32, 48 }, o.Logits.shape);
        // Depth 3 with 2 in-plane stages: the stack is halved once (into stage 3), the plane three times.
        CollectionAssert.AreEqual(new long[] { 2, 4, 8, 32, 48 }, o.Encoder[0].shape);
        CollectionAssert.AreEqual(new long[] { 2, 8, 8, 16, 24 }, o.Encoder[1].shape);
        CollectionAssert.AreEqual(new long[] { 2, 16, 8, 8, 12 }, o.Encoder[2].shape);
        CollectionAssert.AreEqual(new long[] { 2, 32, 4, 4, 6 }, o.Bottleneck.shape);
        Assert.HasCount(2, o.DeepSupervision);
        CollectionAssert.AreEqual(new long[] { 2, 4, 8, 16, 24 }, o.DeepSupervision[0].shape);
    }

    [TestMethod]
    public void UNet3d_Kernels_AreInPlaneWhileSlicesAreCoarse_ThenVolumetric()
    {
        using var net = new UNet3d(Options(NetworkKind.UNet3d));
        var convs = net.named_modules().Where(m => m.module is Conv3d && m.name.StartsWith("encoder.", StringComparison.Ordinal))
            .ToDictionary(m => m.name, m => ((Conv3d)m.module).weight!.shape);

        Assert.AreEqual(1L, convs["encoder.0.conv0"][2], "stage 0: 1×3×3");
        Assert.AreEqual(1L, convs["encoder.1.conv1"][2], "stage 1: 1×3×3");
        Assert.AreEqual(3L, convs["encoder.2.conv0"][2], "stage 2: 3×3×3");
        Assert.AreEqual(3L, convs["encoder.3.conv1"][2], "stage 3: 3×3×3");
    }

    [TestMethod]
    public void VNet_Forward_GivesLogitsOfTheStack_WithResidualStagesAndPRelu()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new VNet(Options(NetworkKind.VNet));

        UNetOutput o = net.ForwardAll(randn([1, 1, 8, 32, 32]));

        CollectionAssert.AreEqual(new long[] { 1, 4, 8, 32, 32 }, o.Logits.shape);
        CollectionAssert.AreEqual(new long[] { 1, 32, 4, 4, 4 }, o.Bottleneck.shape);
        Assert.IsTrue(net.modules().OfType<PReLU>().Any(), "PReLU non-linearities");
        // 1, 2, 3, 3 convolutions in the encoder stages, as in Milletari et al.
        int[] perStage = [.. Enumerable.Range(0, 4).Select(s => net.named_modules().Count(m => m.module is Conv3d && m.name.StartsWith($"encoder.{s}.conv", StringComparison.Ordinal)))];
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 3 }, perStage);
        // Down-sampling by strided convolution with kernel = stride: in-plane only into stages 1 and 2.
        var down = net.named_modules().Where(m => m.module is Conv3d && m.name.StartsWith("down.", StringComparison.Ordinal)).Select(m => ((Conv3d)m.module).weight!.shape[2..]).ToArray();
        CollectionAssert.AreEqual(new long[] { 1, 2, 2 }, down[0]);
        CollectionAssert.AreEqual(new long[] { 2, 2, 2 }, down[2]);
    }

    [TestMethod]
    public void Options_InvalidFor3d_ThrowNamingTheOption()
    {
        Assert.AreEqual("PatchDepth", Assert.ThrowsExactly<ArgumentException>(() => new UNetOptions { Kind = NetworkKind.UNet3d, Depth = 4 }.Validate()).ParamName);
        Assert.AreEqual("PatchDepth", Assert.ThrowsExactly<ArgumentException>(() => new UNetOptions { Kind = NetworkKind.UNet3d, Depth = 4, PatchDepth = 6 }.Validate()).ParamName);
        Assert.AreEqual("PatchDepth", Assert.ThrowsExactly<ArgumentException>(() => new UNetOptions { PatchDepth = 8 }.Validate()).ParamName);
        Assert.AreEqual("DeepSupervision", Assert.ThrowsExactly<ArgumentException>(() => Options(NetworkKind.VNet, deep: true).Validate()).ParamName);
        Assert.AreEqual(8, new UNetOptions { Kind = NetworkKind.VNet, Depth = 4 }.WithDefaults().PatchDepth);
        Assert.AreEqual(16, new UNetOptions { Kind = NetworkKind.UNet3d, Depth = 6 }.WithDefaults().PatchDepth, "Depth 6 halves the stack 4 times");
    }

    [TestMethod]
    public void Forward_StackNotAMultiple_ThrowsWithShape()
    {
        using var net = new UNet3d(Options(NetworkKind.UNet3d));
        using var x = zeros([1, 1, 7, 32, 32]);
        var e = Assert.ThrowsExactly<ArgumentException>(() => net.call(x));
        StringAssert.Contains(e.Message, "divisible by 2");
    }

    [TestMethod]
    [DataRow(NetworkKind.UNet3d)]
    [DataRow(NetworkKind.VNet)]
    public void StackLogits_ShortStack_IsThePaddedPatchCropped(NetworkKind kind)
    {
        using var scope = torch.NewDisposeScope();
        using var net = SegmentationNetwork.Create(Options(kind));
        net.eval();
        Tensor slices = randn(5, 1, 16, 16);

        Tensor stack = net.StackLogits(slices);

        Tensor padded = cat([slices.permute(1, 0, 2, 3).unsqueeze(0), zeros([1, 1, 3, 16, 16])], 2);
        Tensor expected = net.call(padded).narrow(2, 0, 5).squeeze(0).permute(1, 0, 2, 3);
        CollectionAssert.AreEqual(new long[] { 5, 4, 16, 16 }, stack.shape);
        Assert.IsTrue(stack.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [TestMethod]
    public void StackLogits_LongStack_AveragesGaussianWeightedWindows()
    {
        using var scope = torch.NewDisposeScope();
        using var net = SegmentationNetwork.Create(Options(NetworkKind.UNet3d));
        net.eval();
        const int n = 13, patch = 8;
        Tensor slices = randn(n, 1, 16, 16);

        Tensor stack = nn.functional.softmax(net.StackLogits(slices), 1);

        // Reference, written out here: windows at 0, 4 and n - patch = 5, each slice's probabilities weighted by the window's
        // Gaussian at the slice's place in it.
        float[] g = SegmentationNetwork.ThroughPlaneGaussian(patch);
        var sum = new double[n, 4];
        var weight = new double[n];
        foreach (int start in new[] { 0, 4, 5 })
        {
            Tensor p = nn.functional.softmax(net.call(slices.narrow(0, start, patch).permute(1, 0, 2, 3).unsqueeze(0)), 1);
            for (int z = 0; z < patch; z++)
            {
                weight[start + z] += g[z];
                for (int c = 0; c < 4; c++) sum[start + z, c] += g[z] * p[0, c, z, 3, 7].item<float>();
            }
        }
        for (int z = 0; z < n; z++)
            for (int c = 0; c < 4; c++)
                Assert.AreEqual(sum[z, c] / weight[z], stack[z, c, 3, 7].item<float>(), 1e-4, $"slice {z} class {c}");
        Assert.IsTrue(g[patch / 2] > 10 * g[0], "the centre of a window counts more than its edge");
    }

    [TestMethod]
    [DataRow(NetworkKind.UNet3d)]
    [DataRow(NetworkKind.VNet)]
    public void StackLogits_DeepStack_KeepsOneWindowsActivationsAtATime(NetworkKind kind)
    {
        // The tensors alive when each window starts: a window's activations must be gone before the next one runs, or the
        // memory of a stack's inference grows with its depth (the service's quality control on a 3D model: ~33 MiB a slice).
        using var scope = torch.NewDisposeScope();
        using var net = SegmentationNetwork.Create(Options(kind));
        net.eval();
        using var inference = torch.inference_mode();
        var live = new List<long>();
        var hook = net.register_forward_pre_hook((_, input) =>
        {
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            return input;
        });

        try
        {
            net.StackLogits(randn(40, 1, 16, 16)); // windows of 8 at 0, 4, …, 32: nine
        }
        finally
        {
            hook.remove();
        }

        Assert.AreEqual(9, live.Count, "one forward pass per window");
        Assert.IsLessThanOrEqualTo(live[1] + 2, live[^1], $"live tensors at each window's start: {string.Join(", ", live)}");
    }

    [TestMethod]
    public void SegmentationModel_3dWeights_RoundTripToTheSameProbabilities()
    {
        using var scope = torch.NewDisposeScope();
        var description = new ModelDescription { Network = Options(NetworkKind.VNet), Preprocessing = new PreprocessingOptions { Size = 16, SpacingMm = 2.5 }, Domains = ["A"] };
        using var model = SegmentationModel.FromNetwork(SegmentationNetwork.Create(description.Network), description);
        using var ms = new MemoryStream();
        model.SaveWeights(ms);
        ms.Position = 0;
        using var loaded = SegmentationModel.LoadWeights(ms, description);

        Assert.IsInstanceOfType<VNet>(loaded.Network);
        Assert.IsTrue(loaded.Backend.WholeStack, "a 3D model's backend takes whole stacks");
        float[] slices = Enumerable.Range(0, 6 * 256).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        var a = new float[6 * 4 * 256];
        var b = new float[a.Length];
        model.Backend.Predict(slices, 6, 16, a);
        loaded.Backend.Predict(slices, 6, 16, b);
        CollectionAssert.AreEqual(a, b);
    }

    [TestMethod]
    public void ApplyToStack_OneSpatialTransformForTheStack_NoiseDrawnPerSlice()
    {
        const int depth = 4, size = 24, px = size * size;
        float[] slice = Enumerable.Range(0, px).Select(i => (float)((i % size) * (i / size)) / px).ToArray();
        float[] Stack() => Enumerable.Range(0, depth).SelectMany(_ => slice).ToArray();
        byte[] labels = Enumerable.Range(0, depth * px).Select(i => (byte)((i % px) % size > 12 ? 1 : 0)).ToArray();
        var spatial = new AugmentationPipeline([new AugmentationStep(new RandomSpatialTransform(), 1.0)]);

        float[] image = Stack();
        byte[] label = (byte[])labels.Clone();
        spatial.ApplyToStack(image, label, depth, size, size, 1, 1, seed: 9, sampleIndex: 3);

        CollectionAssert.AreNotEqual(Stack(), image, "the stack was transformed");
        for (int z = 1; z < depth; z++)
        {
            CollectionAssert.AreEqual(image.AsSpan(0, px).ToArray(), image.AsSpan(z * px, px).ToArray(), $"slice {z}: the same transform as slice 0");
            CollectionAssert.AreEqual(label.AsSpan(0, px).ToArray(), label.AsSpan(z * px, px).ToArray(), $"label {z}");
        }

        var noisy = new AugmentationPipeline([new AugmentationStep(new RandomGaussianNoise(), 1.0)]);
        float[] a = Stack(), b = Stack();
        noisy.ApplyToStack(a, [], depth, size, size, 1, 1, seed: 9, sampleIndex: 3);
        noisy.ApplyToStack(b, [], depth, size, size, 1, 1, seed: 9, sampleIndex: 3);
        CollectionAssert.AreEqual(a, b, "deterministic in (seed, index)");
        CollectionAssert.AreNotEqual(a.AsSpan(0, px).ToArray(), a.AsSpan(px, px).ToArray(), "each slice has its own noise");
    }

    [TestMethod]
    public void SliceDataset_Volumes_AreRunsOfConsecutiveSlices_AndRefusesScatteredOnes()
    {
        TrainingSlice S(int volume) => new(new float[4], new byte[4], 2, 2, 0, "s" + volume) { Volume = volume };
        var data = new SliceDataset([S(0), S(0), S(0), S(1), S(2), S(2)], ["A"]);
        CollectionAssert.AreEqual(new[] { (0, 3), (3, 1), (4, 2) }, data.Volumes.ToArray());

        var scattered = new SliceDataset([S(0), S(1), S(0)], ["A"]);
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => scattered.Volumes).Message, "not consecutive");
        var unnumbered = new SliceDataset([new TrainingSlice(new float[4], null, 2, 2, 0, "x")], ["A"]);
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => unnumbered.Volumes).Message, "no volume number");
    }

    [TestMethod]
    public void Trainer_3dWithASliceAugmenter_IsRefused()
    {
        var options = new SegmentationTrainerOptions { Network = Options(NetworkKind.UNet3d) };
        SliceAugmenter slices = AugmentationPipeline.FromPreset(AugmentationPreset.Standard).ToSliceAugmenter(1);
        Assert.AreEqual("stackAugmenter", Assert.ThrowsExactly<ArgumentException>(() => new SegmentationTrainer(options, slices, "standard")).ParamName);
    }
}
