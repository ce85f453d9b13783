using MLCardiac.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Models;

[TestClass]
public sealed class InPlaceActivationTests
{
    private static nn.Module<Tensor, Tensor> Norm(NormalizationKind kind) => kind switch
    {
        NormalizationKind.Instance => new InstanceNormalization(8),
        NormalizationKind.Batch => nn.BatchNorm2d(8),
        _ => nn.GroupNorm(4, 8),
    };

    /// <summary>conv → norm → activation → conv, as a U-Net block chains them.</summary>
    private static Sequential Block(NormalizationKind kind, nn.Module<Tensor, Tensor> activation) =>
        nn.Sequential(("conv0", nn.Conv2d(3, 8, 3, padding: 1)), ("norm", Norm(kind)), ("act", activation), ("conv1", nn.Conv2d(8, 2, 3, padding: 1)));

    [TestMethod]
    [DataRow(NormalizationKind.Instance, true)]
    [DataRow(NormalizationKind.Batch, true)]
    [DataRow(NormalizationKind.Group, true)]
    [DataRow(NormalizationKind.Instance, false)]
    public void InPlaceActivationAfterNorm_SameOutputAndGradientsAsOutOfPlace(NormalizationKind kind, bool leaky)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        using Sequential reference = Block(kind, leaky ? new LeakyRelu(0.01) : nn.ReLU());
        using Sequential inPlace = Block(kind, leaky ? new LeakyRelu(0.01, inPlace: true) : nn.ReLU(inplace: true));
        inPlace.load_state_dict(reference.state_dict());
        Tensor x = randn(4, 3, 12, 12);
        Tensor upstream = randn(4, 2, 12, 12);

        Tensor a = reference.call(x);
        Tensor b = inPlace.call(x);
        (a * upstream).sum().backward();
        (b * upstream).sum().backward();

        Assert.IsTrue(a.allclose(b, rtol: 1e-6, atol: 1e-6), "outputs");
        var ga = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, p) in inPlace.named_parameters())
            Assert.IsTrue(ga[name].allclose(p.grad!, rtol: 1e-5, atol: 1e-6), $"gradient of {name}");
    }

    [TestMethod]
    public void UNet_TrainingStepWithInPlaceActivations_GradientsAreFinite()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new UNet2d(new UNetOptions { BaseFilters = 4, Depth = 2, DeepSupervision = true });
        UNetOutput o = net.ForwardAll(randn(2, 1, 16, 16));
        (o.Logits.square().mean() + o.Bottleneck.mean() + o.DeepSupervision[0].mean()).backward();
        foreach (var (name, p) in net.named_parameters())
            Assert.IsTrue(p.grad is not null && p.grad.isfinite().all().item<bool>(), $"gradient of {name}");
    }
}
