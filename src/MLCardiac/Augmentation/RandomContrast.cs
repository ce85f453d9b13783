namespace MLCardiac.Augmentation;

/// <summary>Draws a <see cref="Contrast"/> factor from <see cref="Range"/> (BGContrast rule), range preserved. nnU-Net v2 default: [0.75, 1.25], p = 0.15.</summary>
public sealed class RandomContrast : IRandomAugmentation
{
    /// <summary>Range of the factor.</summary>
    public ParameterRange Range { get; init; } = new(0.75, 1.25);

    /// <inheritdoc/>
    public string Name => "contrast";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        Range.Validate("Contrast range", 0);
        return new Contrast { Factor = Range.SampleAroundOne(random) };
    }
}
