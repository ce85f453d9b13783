using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// The domain head of DANN: predicts the vendor (or source vs target) of a slice from encoder features.
/// Two 3×3 convolutions with normalisation and leaky ReLU, global average pooling, then a two-layer MLP.
/// Input [N, F, h, w]; output domain logits [N, Domains].
/// </summary>
public sealed class DomainDiscriminator : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Sequential classifier;

    /// <summary>Creates a head over <paramref name="inChannels"/> feature maps for <paramref name="domains"/> domains.</summary>
    public DomainDiscriminator(int inChannels, int domains, int hidden = 64) : base(nameof(DomainDiscriminator))
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "must be ≥ 1");
        if (domains < 2) throw new ArgumentOutOfRangeException(nameof(domains), domains, "a domain head needs at least 2 domains");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "must be ≥ 1");
        features = nn.Sequential(
            ("conv0", nn.Conv2d(inChannels, hidden, 3, padding: 1)),
            ("norm0", nn.InstanceNorm2d(hidden, affine: true)),
            ("act0", nn.LeakyReLU(0.01)),
            ("conv1", nn.Conv2d(hidden, hidden, 3, padding: 1)),
            ("norm1", nn.InstanceNorm2d(hidden, affine: true)),
            ("act1", nn.LeakyReLU(0.01)),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flat", nn.Flatten()));
        classifier = nn.Sequential(
            ("fc0", nn.Linear(hidden, hidden)),
            ("act", nn.LeakyReLU(0.01)),
            ("fc1", nn.Linear(hidden, domains)));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => classifier.call(features.call(input));
}
