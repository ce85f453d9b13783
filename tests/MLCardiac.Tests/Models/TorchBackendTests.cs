using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Models;

/// <summary>libtorch loads from the build output and its autograd is right (the foundation every model stands on).</summary>
[TestClass]
public sealed class TorchBackendTests
{
    private static nn.Module<Tensor, Tensor> SmallConvNet()
    {
        torch.manual_seed(7);
        var net = nn.Sequential(
            ("conv1", nn.Conv2d(1, 3, 3, padding: 1)),
            ("act", nn.Tanh()),
            ("conv2", nn.Conv2d(3, 2, 3, stride: 2, padding: 1)),
            ("act2", nn.Tanh()),
            ("conv3", nn.Conv2d(2, 1, 1)));
        net.to(float64);
        return net;
    }

    [TestMethod]
    public void Backward_SmallConvNet_MatchesCentralDifferences()
    {
        using var scope = torch.NewDisposeScope();
        var net = SmallConvNet();
        torch.manual_seed(11);
        Tensor x = randn(2, 1, 8, 8, dtype: float64);
        Tensor target = randn(2, 1, 4, 4, dtype: float64);
        Tensor Loss() => (net.call(x) - target).pow(2).mean();

        Loss().backward();

        const double h = 1e-6;
        int checkedCount = 0;
        foreach (var (name, p) in net.named_parameters())
        {
            double[] analytic = p.grad!.contiguous().data<double>().ToArray();
            Tensor flat = p.detach().view(-1);
            for (long i = 0; i < flat.shape[0]; i += Math.Max(1, flat.shape[0] / 5))
            {
                double numeric;
                using (torch.no_grad())
                {
                    double orig = flat[i].item<double>();
                    flat[i].fill_(orig + h);
                    double plus = Loss().item<double>();
                    flat[i].fill_(orig - h);
                    double minus = Loss().item<double>();
                    flat[i].fill_(orig);
                    numeric = (plus - minus) / (2 * h);
                }
                double tol = 1e-6 + 1e-5 * Math.Abs(numeric);
                Assert.AreEqual(numeric, analytic[i], tol, $"d loss / d {name}[{i}]");
                checkedCount++;
            }
        }
        Assert.IsGreaterThanOrEqualTo(20, checkedCount);
        Assert.IsGreaterThan(1e-4, net.parameters().Sum(p => p.grad!.abs().sum().item<double>()), "gradients are not all zero");
    }

    [TestMethod]
    public void AdamSteps_SmallConvNet_ReduceTheLoss()
    {
        using var scope = torch.NewDisposeScope();
        var net = SmallConvNet();
        torch.manual_seed(3);
        Tensor x = randn(4, 1, 8, 8, dtype: float64);
        Tensor target = x.narrow(2, 0, 4).narrow(3, 0, 4).tanh();
        using var opt = new MLCardiac.Training.TrainingOptimizer(MLCardiac.Training.OptimizerKind.AdamW, net.parameters(), 0.01);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            opt.ZeroGrad();
            Tensor loss = (net.call(x) - target).pow(2).mean();
            loss.backward();
            opt.Step();
            if (step == 0) first = loss.item<double>();
            last = loss.item<double>();
        }
        Assert.IsLessThan(0.5 * first, last, $"loss went from {first} to {last}");
    }
}
