using TorchSharp;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// A network that classifies a slice's vendor: input [N, InChannels, H, W], output logits [N, Classes]. What the
/// vendor classifier (its training, volume aggregation of slice probabilities and unfamiliar-scanner calibration, model
/// file and ONNX export) needs of any architecture: <see cref="ResNetClassifier"/>, <see cref="DenseNetClassifier"/>,
/// <see cref="InceptionClassifier"/>. Each ends in global average pooling → dropout → one linear layer.
/// </summary>
/// <remarks>
/// Measured 2026-12-04 on the 2-core AMD EPYC (Zen 5) development machine with <c>DNNL_MAX_CPU_ISA=AVX</c>
/// (<c>Numerics/OneDnnGuard</c>'s cap), float32 against float64: libtorch's forward 3×3 and 5×5 convolutions are wrong
/// (relative error 0.1–0.5, sometimes NaN) when the input has 9, 12 or 18 channels, right with 1–6, 8, 16 and 24, and
/// 1×1 convolutions are right throughout; <c>SSE41</c> is right on every shape tried, <c>AVX2</c> fails as AVX does and
/// <c>ALL</c> fails at 18 and 24. The defaults of all three kinds keep every 3×3 and 5×5 input at ≤ 8 or a multiple of 8
/// channels; the options' remarks say how to stay there. The ONNX export computes such layers correctly either way.
/// </remarks>
public abstract class VendorClassifierNetwork : nn.Module<Tensor, Tensor>
{
    /// <summary>Names the module (its name is not part of the state-dict keys).</summary>
    private protected VendorClassifierNetwork(string name) : base(name)
    {
    }

    /// <summary>The architecture this network was built with.</summary>
    public abstract ClassifierNetworkOptions Options { get; }

    /// <summary>Width of the pooled feature vector the final linear layer reads.</summary>
    public abstract int FeatureCount { get; }

    /// <summary>
    /// The stem every classifier starts with: a 3×3 stride-2 convolution to <paramref name="width"/> channels, batch norm,
    /// ReLU (checkpoint keys <c>stem.conv</c>, <c>stem.bn</c>).
    /// </summary>
    private protected static TorchSharp.Modules.Sequential ClassifierStem(int inChannels, int width) => nn.Sequential(
        ("conv", nn.Conv2d(inChannels, width, 3, stride: 2, padding: 1, bias: false)),
        ("bn", nn.BatchNorm2d(width)),
        ("relu", nn.ReLU()));

    /// <summary>
    /// The head every classifier ends in: global average pool, flatten, dropout and a linear layer from
    /// <paramref name="features"/> to the classes (its submodules are the checkpoint keys <c>head.pool</c> … <c>head.fc</c>).
    /// </summary>
    private protected static TorchSharp.Modules.Sequential ClassifierHead(int features, ClassifierNetworkOptions options) => nn.Sequential(
        ("pool", nn.AdaptiveAvgPool2d(1)),
        ("flat", nn.Flatten()),
        ("drop", nn.Dropout(options.Dropout)),
        ("fc", nn.Linear(features, options.Classes)));

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="input"/> is [N, InChannels, H, W].</summary>
    private protected void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != Options.InChannels)
            throw new ArgumentException($"{GetType().Name} expects [N, {Options.InChannels}, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
    }

    /// <summary>He (Kaiming) normal initialisation of every convolution, fan-out, for ReLU (as torchvision's ResNet and DenseNet).</summary>
    private protected void InitialiseConvolutions()
    {
        using var noGrad = torch.no_grad();
        foreach (var m in modules())
            if (m is TorchSharp.Modules.Conv2d c) nn.init.kaiming_normal_(c.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
    }
}
