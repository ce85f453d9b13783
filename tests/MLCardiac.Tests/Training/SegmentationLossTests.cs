using MLCardiac.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Tests.Training;

[TestClass]
public sealed class SegmentationLossTests
{
    private static Tensor Labels(int n, int seed)
    {
        torch.manual_seed(seed);
        return randint(0, 4, new long[] { n, 8, 8 }, dtype: int64);
    }

    private static Tensor ConfidentLogits(Tensor labels) =>
        nn.functional.one_hot(labels, 4).permute(0, 3, 1, 2).to(float32) * 40;

    [TestMethod]
    public void DiceCrossEntropy_PerfectPrediction_IsNearZero()
    {
        using var scope = torch.NewDisposeScope();
        Tensor labels = Labels(3, 1);
        double loss = SegmentationLoss.DiceCrossEntropy(ConfidentLogits(labels), labels).item<float>();
        Assert.AreEqual(0, loss, 1e-4);
    }

    [TestMethod]
    public void SoftDice_HalfOverlap_MatchesHandComputation()
    {
        using var scope = torch.NewDisposeScope();
        // Truth: class 1 on the left half; prediction (confident): class 1 on the top half. Overlap = a quarter.
        var truth = zeros(new long[] { 1, 8, 8 }, dtype: int64);
        truth[.., .., ..4] = tensor(1L);
        var predicted = zeros(new long[] { 1, 8, 8 }, dtype: int64);
        predicted[.., ..4, ..] = tensor(1L);

        Tensor dice = SegmentationLoss.SoftDice(ConfidentLogits(predicted), truth);

        Assert.AreEqual(2.0 * 16 / (32 + 32), dice[0].item<float>(), 1e-4, "class 1");
        Assert.AreEqual(1.0, dice[1].item<float>(), 1e-4, "class 2 absent from both: smoothed to 1");
    }

    [TestMethod]
    public void DiceCrossEntropy_UnlabeledRows_DoNotAffectTheLoss()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        Tensor logits = randn(4, 4, 8, 8);
        Tensor labels = Labels(4, 2);
        Tensor otherLabels = labels.clone();
        otherLabels[2] = Labels(1, 9)[0];
        otherLabels[3] = Labels(1, 10)[0];
        Tensor mask = tensor(new[] { true, true, false, false });

        double a = SegmentationLoss.DiceCrossEntropy(logits, labels, mask).item<float>();
        double b = SegmentationLoss.DiceCrossEntropy(logits, otherLabels, mask).item<float>();
        double all = SegmentationLoss.DiceCrossEntropy(logits, labels).item<float>();

        Assert.AreEqual(a, b, 1e-7);
        Assert.AreNotEqual(a, all, 1e-4);
    }

    [TestMethod]
    public void DiceCrossEntropy_NoLabeledRow_IsZeroAndBackpropagates()
    {
        using var scope = torch.NewDisposeScope();
        Tensor logits = randn(new long[] { 2, 4, 8, 8 }, requires_grad: true);
        Tensor loss = SegmentationLoss.DiceCrossEntropy(logits, Labels(2, 3), tensor(new[] { false, false }));
        loss.backward();
        Assert.AreEqual(0f, loss.item<float>());
        Assert.AreEqual(0f, logits.grad!.abs().sum().item<float>());
    }
}
