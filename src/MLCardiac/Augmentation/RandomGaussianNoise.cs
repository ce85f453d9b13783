namespace MLCardiac.Augmentation;

/// <summary>
/// Draws a <see cref="GaussianNoise"/>: variance uniform in <see cref="Variance"/> (σ = √variance), a fresh noise
/// seed each time. nnU-Net v2 default: variance ∈ [0, 0.1], p = 0.1.
/// </summary>
public sealed class RandomGaussianNoise : IRandomAugmentation
{
    /// <summary>Range of the noise variance σ² in squared image units.</summary>
    public ParameterRange Variance { get; init; } = new(0, 0.1);

    /// <inheritdoc/>
    public string Name => "gaussian noise";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        Variance.Validate("Noise variance", 0);
        return new GaussianNoise { StandardDeviation = Math.Sqrt(Variance.Sample(random)), Seed = random.NextUInt64() };
    }
}
