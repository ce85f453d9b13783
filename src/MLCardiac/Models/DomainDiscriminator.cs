using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLCardiac.Models;

/// <summary>
/// The domain head of DANN: predicts the vendor (or source vs target) of a slice from encoder features.
/// Two 3×3 convolutions with leaky ReLU, global mean and standard-deviation pooling per channel (the feature
/// statistics that carry "style" — contrast, noise and texture energy, in which vendors differ), then a
/// two-layer MLP. Input [N, F, h, w]; output domain logits [N, Domains].
/// </summary>
/// <remarks>
/// No normalisation layers on purpose: instance normalisation would remove exactly the per-channel feature
/// statistics (contrast, texture energy) through which vendors differ, leaving the head blind and the
/// adversarial signal empty; batch normalisation would let it compare rows of a batch instead of judging each.
/// </remarks>
public sealed class DomainDiscriminator : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Sequential classifier;

    /// <summary>Creates a head over <paramref name="inChannels"/> feature maps for <paramref name="domains"/> domains.</summary>
    public DomainDiscriminator(int inChannels, int domains, int hidden = 64, bool volumetric = false) : base(nameof(DomainDiscriminator))
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "must be ≥ 1");
        if (domains < 2) throw new ArgumentOutOfRangeException(nameof(domains), domains, "a domain head needs at least 2 domains");
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "must be ≥ 1");
        features = nn.Sequential(
            ("conv0", Conv(inChannels, hidden, volumetric)),
            ("act0", new LeakyRelu(0.01)),
            ("conv1", Conv(hidden, hidden, volumetric)),
            ("act1", new LeakyRelu(0.01)));
        classifier = nn.Sequential(
            ("fc0", nn.Linear(2 * hidden, hidden)),
            ("act", new LeakyRelu(0.01)),
            ("fc1", nn.Linear(hidden, domains)));
        RegisterComponents();
    }

    // 3D features ([N, C, D, H, W]) get the same 3×3 in-plane convolutions, slice by slice (1×3×3); the pooling is over all positions.
    private static nn.Module<Tensor, Tensor> Conv(int inCh, int outCh, bool volumetric) =>
        volumetric ? nn.Conv3d(inCh, outCh, (1, 3, 3), padding: (0, 1, 1)) : nn.Conv2d(inCh, outCh, 3, padding: 1);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor f = features.call(input).flatten(2);
        using Scalar eps = 1e-5.ToScalar();
        Tensor pooled = cat(new[] { f.mean(new long[] { 2 }), f.var(2).add(eps).sqrt() }, 1);
        return classifier.call(pooled).MoveToOuterDisposeScope();
    }
}
