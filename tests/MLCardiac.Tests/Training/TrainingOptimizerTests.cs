using MLCardiac.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Training;

/// <summary>Our optimisers against TorchSharp's implementations of the same update rules.</summary>
[TestClass]
public sealed class TrainingOptimizerTests
{
    private static (nn.Module<Tensor, Tensor> A, nn.Module<Tensor, Tensor> B) TwinNets()
    {
        torch.manual_seed(3);
        var a = nn.Sequential(("c", nn.Conv2d(1, 4, 3, padding: 1)), ("t", nn.Tanh()), ("o", nn.Conv2d(4, 2, 1)));
        var b = nn.Sequential(("c", nn.Conv2d(1, 4, 3, padding: 1)), ("t", nn.Tanh()), ("o", nn.Conv2d(4, 2, 1)));
        using (torch.no_grad())
            foreach (var (pa, pb) in a.parameters().Zip(b.parameters())) pb.copy_(pa);
        return (a, b);
    }

    private static void Steps(nn.Module<Tensor, Tensor> net, Action zero, Action step, int n)
    {
        torch.manual_seed(9);
        for (int i = 0; i < n; i++)
        {
            using var scope = torch.NewDisposeScope();
            zero();
            net.call(randn(2, 1, 6, 6)).pow(2).mean().backward();
            step();
        }
    }

    [TestMethod]
    [DataRow(OptimizerKind.AdamW)]
    [DataRow(OptimizerKind.SgdNesterov)]
    public void Step_FiveUpdates_MatchesTorchSharpsOptimizer(OptimizerKind kind)
    {
        var (ours, theirs) = TwinNets();
        using var mine = new TrainingOptimizer(kind, ours.parameters(), 0.01, weightDecay: 0.05);
        var reference = kind == OptimizerKind.AdamW
            ? optim.AdamW(theirs.parameters(), lr: 0.01, weight_decay: 0.05)
            : (optim.Optimizer)optim.SGD(theirs.parameters(), 0.01, momentum: 0.99, nesterov: true, weight_decay: 0.05);

        Steps(ours, mine.ZeroGrad, mine.Step, 5);
        Steps(theirs, reference.zero_grad, () => reference.step(), 5);

        foreach (var (a, b) in ours.parameters().Zip(theirs.parameters()))
            Assert.IsTrue(a.allclose(b, rtol: 1e-5, atol: 1e-7), "parameters after 5 steps");
        Assert.IsFalse(ours.parameters().First().allclose(TwinNets().A.parameters().First()), "the updates did something");
    }

    [TestMethod]
    public void SaveLoad_MidTraining_ContinuesExactlyLikeAnUninterruptedOptimizer()
    {
        var (a, b) = TwinNets();
        using var optA = new TrainingOptimizer(OptimizerKind.AdamW, a.parameters(), 0.01, 1e-4);
        using var optB = new TrainingOptimizer(OptimizerKind.AdamW, b.parameters(), 0.01, 1e-4);
        Steps(a, optA.ZeroGrad, optA.Step, 3);
        Steps(b, optB.ZeroGrad, optB.Step, 3);
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) optB.Save(w);
        ms.Position = 0;
        using var optB2 = new TrainingOptimizer(OptimizerKind.AdamW, b.parameters(), 0.01, 1e-4);
        using (var r = new BinaryReader(ms)) optB2.Load(r);

        Steps(a, optA.ZeroGrad, optA.Step, 2);
        Steps(b, optB2.ZeroGrad, optB2.Step, 2);

        foreach (var (pa, pb) in a.parameters().Zip(b.parameters()))
            Assert.IsTrue(pa.eq(pb).all().item<bool>());
    }

    [TestMethod]
    [DataRow(OptimizerKind.AdamW)]
    [DataRow(OptimizerKind.SgdNesterov)]
    public void Step_NonFiniteGradient_SkipsTheUpdateAndKeepsTraining(OptimizerKind kind)
    {
        var (net, _) = TwinNets();
        using var optimizer = new TrainingOptimizer(kind, net.parameters(), 0.01);
        float[][] before = [.. net.parameters().Select(p => p.data<float>().ToArray())];
        using (var scope = torch.NewDisposeScope())
        {
            optimizer.ZeroGrad();
            net.call(randn(2, 1, 6, 6)).pow(2).mean().backward();
            using (torch.no_grad()) net.parameters().First().grad!.view(-1)[0] = float.NaN;
            optimizer.Step();
        }

        Assert.AreEqual(1, optimizer.SkippedSteps);
        foreach (var (p, b) in net.parameters().Zip(before)) CollectionAssert.AreEqual(b, p.data<float>().ToArray(), "a skipped step changes no weight");
        Steps(net, optimizer.ZeroGrad, optimizer.Step, 1);
        Assert.AreEqual(1, optimizer.SkippedSteps);
        Assert.IsTrue(net.parameters().All(p => p.isfinite().all().item<bool>()));
        Assert.IsFalse(net.parameters().First().data<float>().ToArray().SequenceEqual(before[0]), "the next finite step updates");
    }
}
