namespace MLCardiac.Augmentation;

/// <summary>Draws a <see cref="RicianNoise"/> with σ uniform in <see cref="StandardDeviation"/> (default [0.02, 0.15] in z-score units).</summary>
public sealed class RandomRicianNoise : IRandomAugmentation
{
    /// <summary>Range of σ.</summary>
    public ParameterRange StandardDeviation { get; init; } = new(0.02, 0.15);

    /// <inheritdoc/>
    public string Name => "rician noise";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        StandardDeviation.Validate("Rician noise σ", 0);
        return new RicianNoise { StandardDeviation = StandardDeviation.Sample(random), Seed = random.NextUInt64() };
    }
}
