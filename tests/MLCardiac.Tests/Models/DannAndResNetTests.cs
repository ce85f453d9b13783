using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Models;

[TestClass]
public sealed class DannAndResNetTests
{
    private static Dictionary<string, Tensor> DomainLossGradients(double lambda)
    {
        torch.manual_seed(21);
        var net = new DannNetwork(new UNetOptions { BaseFilters = 4, Depth = 2 }, domains: 3, hiddenDomainFeatures: 8);
        torch.manual_seed(22);
        Tensor x = randn(4, 1, 16, 16);
        var (_, domainLogits) = net.ForwardWithDomain(x, lambda);
        nn.functional.cross_entropy(domainLogits, tensor(new long[] { 0, 1, 2, 0 })).backward();
        return net.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad is null ? zeros(1) : p.parameter.grad.clone());
    }

    [TestMethod]
    public void ForwardWithDomain_Lambda_ReversesAndScalesOnlyTheEncoderGradient()
    {
        using var scope = torch.NewDisposeScope();
        var g0 = DomainLossGradients(0);
        var g1 = DomainLossGradients(1);
        var gHalf = DomainLossGradients(0.5);

        string encoderWeight = g1.Keys.First(k => k.StartsWith("unet.encoder.0", StringComparison.Ordinal) && k.EndsWith("weight", StringComparison.Ordinal));
        string headWeight = g1.Keys.First(k => k.StartsWith("domain.", StringComparison.Ordinal) && k.EndsWith("weight", StringComparison.Ordinal));

        Assert.AreEqual(0f, g0[encoderWeight].abs().sum().item<float>(), "λ = 0: no domain gradient reaches the encoder");
        Assert.IsGreaterThan(0f, g1[encoderWeight].abs().sum().item<float>());
        Assert.IsTrue(gHalf[encoderWeight].allclose(g1[encoderWeight] * 0.5, rtol: 1e-4, atol: 1e-8), "encoder gradient scales with λ");
        Assert.IsTrue(g0[headWeight].allclose(g1[headWeight], rtol: 1e-5, atol: 1e-8), "the head's own gradient does not depend on λ");
    }

    [TestMethod]
    public void ResNetClassifier_TwoVendorsDifferingInNoiseTexture_LearnsToTellThemApart()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        // Same smooth content; "vendor 1" adds fine-grained noise, "vendor 0" is blurred: only texture differs.
        Tensor smooth = nn.functional.avg_pool2d(randn(16, 1, 32, 32), 5, stride: 1, padding: 2);
        Tensor images = cat(new[] { smooth.narrow(0, 0, 8), smooth.narrow(0, 8, 8) + 0.3f * randn(8, 1, 32, 32) }, 0);
        images = (images - images.mean(new long[] { 1, 2, 3 }, keepdim: true)) / images.std(new long[] { 1, 2, 3 }, keepdim: true);
        Tensor vendors = cat(new[] { zeros(8, dtype: int64), ones(8, dtype: int64) }, 0);
        using var net = new ResNetClassifier(new ResNetOptions { Classes = 2, BaseWidth = 8, BlocksPerStage = new[] { 1, 1, 1 } });
        using var opt = new MLCardiac.Training.TrainingOptimizer(MLCardiac.Training.OptimizerKind.AdamW, net.parameters(), 3e-3);
        for (int step = 0; step < 40; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            opt.ZeroGrad();
            nn.functional.cross_entropy(net.call(images), vendors).backward();
            opt.Step();
        }
        net.eval();
        using var noGrad = torch.no_grad();
        double accuracy = net.call(images).argmax(1).eq(vendors).to(float32).mean().item<float>();
        Assert.IsGreaterThanOrEqualTo(0.95, accuracy);
        CollectionAssert.AreEqual(new long[] { 16, 2 }, net.call(images).shape);
    }
}
