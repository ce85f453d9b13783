using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Models;

[TestClass]
public sealed class GradientReversalTests
{
    [TestMethod]
    public void Apply_Forward_IsIdentityBitForBit()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = randn(3, 5, requires_grad: true);
        Assert.IsTrue(GradientReversal.Apply(x, 0.7).eq(x).all().item<bool>());
    }

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.3)]
    [DataRow(1.0)]
    public void Apply_Backward_ScalesGradientByMinusLambda(double lambda)
    {
        using var scope = torch.NewDisposeScope();
        Tensor w = randn(5, 2);
        Tensor x1 = randn(3, 5, requires_grad: true);
        Tensor x2 = x1.detach().clone().requires_grad_(true);

        x1.matmul(w).pow(2).sum().backward();
        GradientReversal.Apply(x2, lambda).matmul(w).pow(2).sum().backward();

        Assert.IsTrue(x2.grad!.allclose(x1.grad! * -lambda, rtol: 1e-6, atol: 1e-7));
    }

    [TestMethod]
    public void Schedule_GaninGamma10_StartsAtZeroAndApproachesMax()
    {
        Assert.AreEqual(0, GradientReversal.Schedule(0, 0.3), 1e-12);
        Assert.AreEqual(0.3 * (2 / (1 + Math.Exp(-5)) - 1), GradientReversal.Schedule(0.5, 0.3), 1e-12);
        Assert.IsGreaterThan(0.2998, GradientReversal.Schedule(1, 0.3));
        Assert.IsLessThan(GradientReversal.Schedule(0.6, 0.3), GradientReversal.Schedule(0.4, 0.3));
    }

    [TestMethod]
    public void Apply_NegativeLambda_Throws()
    {
        using var x = zeros(2);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GradientReversal.Apply(x, -1));
    }
}
