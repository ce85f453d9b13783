namespace MLCardiac.Augmentation;

/// <summary>Draws a <see cref="Brightness"/> factor from <see cref="Range"/> (BGContrast rule). nnU-Net v2 default: [0.75, 1.25], p = 0.15.</summary>
public sealed class RandomBrightness : IRandomAugmentation
{
    /// <summary>Range of the multiplier.</summary>
    public ParameterRange Range { get; init; } = new(0.75, 1.25);

    /// <inheritdoc/>
    public string Name => "brightness";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        Range.Validate("Brightness range", 0);
        return new Brightness { Multiplier = Range.SampleAroundOne(random) };
    }
}
