namespace MLCardiac.Augmentation;

/// <summary>Draws a <see cref="LowResolution"/> scale uniformly from <see cref="Scale"/> (nnU-Net v2: [0.5, 1], p = 0.25).</summary>
public sealed class RandomLowResolution : IRandomAugmentation
{
    /// <summary>Range of the resolution factor.</summary>
    public ParameterRange Scale { get; init; } = new(0.5, 1.0);

    /// <inheritdoc/>
    public string Name => "low resolution";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        Scale.Validate("Low-resolution scale", 1e-3, 1);
        return new LowResolution { Scale = Scale.Sample(random) };
    }
}
