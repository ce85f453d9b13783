using MLCardiac.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Models;

[TestClass]
public sealed class InstanceNormTests
{
    [TestMethod]
    public void Forward_EqualsLibtorchInstanceNorm2d_AndGradientsAgree()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var reference = nn.InstanceNorm2d(6, affine: true);
        using var ours = new InstanceNormalization(6);
        using (torch.no_grad())
        {
            reference.weight!.copy_(randn(6));
            reference.bias!.copy_(randn(6));
        }
        ours.load_state_dict(reference.state_dict());
        Tensor x = (randn(3, 6, 20, 12) * 4 + 2).requires_grad_();
        Tensor x2 = x.detach().clone().requires_grad_();

        Tensor a = reference.call(x);
        Tensor b = ours.call(x2);
        Assert.IsTrue(a.allclose(b, rtol: 1e-5, atol: 1e-5), $"max |Δ| {(a - b).abs().max().item<float>()}");

        using Tensor upstream = randn(3, 6, 20, 12);
        (a * upstream).sum().backward();
        (b * upstream).sum().backward();
        Assert.IsTrue(x.grad!.allclose(x2.grad!, rtol: 1e-4, atol: 1e-5), "input gradients agree");
        Assert.IsTrue(reference.weight!.grad!.allclose(ours.named_parameters().Single(p => p.name == "weight").parameter.grad!, rtol: 1e-4, atol: 1e-4), "weight gradients agree");
    }

    [TestMethod]
    public void StateDict_HasTheSameEntriesAsInstanceNorm2d()
    {
        using var reference = nn.InstanceNorm2d(4, affine: true);
        using var ours = new InstanceNormalization(4);
        CollectionAssert.AreEquivalent(reference.state_dict().Keys.ToList(), ours.state_dict().Keys.ToList());
    }
}
