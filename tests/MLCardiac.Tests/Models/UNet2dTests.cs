using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Models;

[TestClass]
public sealed class UNet2dTests
{
    [TestMethod]
    [DataRow(NormalizationKind.Instance)]
    [DataRow(NormalizationKind.Batch)]
    [DataRow(NormalizationKind.Group)]
    public void Forward_AnyNormalization_GivesLogitsOfInputSize(NormalizationKind norm)
    {
        using var scope = torch.NewDisposeScope();
        using var net = new UNet2d(new UNetOptions { BaseFilters = 8, Depth = 3, Normalization = norm, DeepSupervision = true });

        UNetOutput o = net.ForwardAll(randn(2, 1, 32, 48));

        CollectionAssert.AreEqual(new long[] { 2, 4, 32, 48 }, o.Logits.shape);
        CollectionAssert.AreEqual(new long[] { 2, 64, 4, 6 }, o.Bottleneck.shape);
        Assert.HasCount(2, o.DeepSupervision);
        CollectionAssert.AreEqual(new long[] { 2, 4, 16, 24 }, o.DeepSupervision[0].shape);
        CollectionAssert.AreEqual(new long[] { 2, 4, 8, 12 }, o.DeepSupervision[1].shape);
    }

    [TestMethod]
    public void Constructor_GroupsNotDividingFilters_ThrowsNamingGroups()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            new UNet2d(new UNetOptions { BaseFilters = 12, Normalization = NormalizationKind.Group, Groups = 8 }));
        Assert.AreEqual("Groups", e.ParamName);
    }

    [TestMethod]
    public void Forward_SizeNotDivisibleByTwoToTheDepth_ThrowsWithShape()
    {
        using var net = new UNet2d(new UNetOptions { BaseFilters = 4, Depth = 4 });
        using var x = zeros(1, 1, 40, 40);
        var e = Assert.ThrowsExactly<ArgumentException>(() => net.call(x));
        StringAssert.Contains(e.Message, "40×40");
    }

    [TestMethod]
    public void SaveLoad_SameArchitecture_GivesIdenticalOutput()
    {
        using var scope = torch.NewDisposeScope();
        var options = new UNetOptions { BaseFilters = 4, Depth = 2 };
        torch.manual_seed(1);
        using var a = new UNet2d(options);
        torch.manual_seed(2);
        using var b = new UNet2d(options);
        a.eval(); b.eval();
        Tensor x = randn(1, 1, 16, 16);
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) a.save(w);
        ms.Position = 0;

        Assert.IsFalse(a.call(x).eq(b.call(x)).all().item<bool>(), "differently seeded networks differ before loading");
        using (var r = new BinaryReader(ms)) b.load(r);

        Assert.IsTrue(a.call(x).eq(b.call(x)).all().item<bool>());
    }

    [TestMethod]
    public void Training_TinyRingPhantom_ReachesHighDice()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        (Tensor images, Tensor labels) = RingPhantoms(8, 32, seed: 3);
        using var net = new UNet2d(new UNetOptions { BaseFilters = 8, Depth = 3 });
        using var opt = new MLCardiac.Training.TrainingOptimizer(MLCardiac.Training.OptimizerKind.AdamW, net.parameters(), 3e-3);
        for (int step = 0; step < 80; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            opt.ZeroGrad();
            Tensor loss = nn.functional.cross_entropy(net.call(images), labels);
            loss.backward();
            opt.Step();
        }
        net.eval();
        using var noGrad = torch.no_grad();
        Tensor predicted = net.call(images).argmax(1);

        for (int c = 1; c <= 3; c++)
        {
            double dice = Dice(predicted, labels, c);
            Assert.IsGreaterThan(0.85, dice, $"class {c} Dice {dice:F3}");
        }
    }

    /// <summary>Bright disc (1) in a grey ring (2) beside a bright crescent (3), on noise; random centres.</summary>
    internal static (Tensor Images, Tensor Labels) RingPhantoms(int n, int size, int seed)
    {
        var rng = new Random(seed);
        var img = new float[n * size * size];
        var lab = new long[n * size * size];
        for (int i = 0; i < n; i++)
        {
            double cx = size / 2.0 + rng.Next(-4, 5), cy = size / 2.0 + rng.Next(-4, 5);
            double r1 = 4 + rng.NextDouble() * 2, r2 = r1 + 3;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    double d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                    double dr = Math.Sqrt((x - cx - r2 - 2) * (x - cx - r2 - 2) + (y - cy) * (y - cy));
                    int label = d < r1 ? 1 : d < r2 ? 2 : dr < r2 + 1 ? 3 : 0;
                    float value = label switch { 1 => 1.0f, 2 => 0.35f, 3 => 0.8f, _ => 0.1f };
                    int k = (i * size + y) * size + x;
                    img[k] = value + (float)(0.08 * (rng.NextDouble() - 0.5));
                    lab[k] = label;
                }
        }
        return (tensor(img, new long[] { n, 1, size, size }), tensor(lab, new long[] { n, size, size }));
    }

    internal static double Dice(Tensor predicted, Tensor truth, int c)
    {
        using var scope = torch.NewDisposeScope();
        Tensor p = predicted.eq(c), t = truth.eq(c);
        double inter = p.logical_and(t).sum().item<long>();
        double total = p.sum().item<long>() + t.sum().item<long>();
        return total == 0 ? 1 : 2 * inter / total;
    }
}
