namespace MLCardiac.Augmentation;

/// <summary>Draws a <see cref="GibbsRinging"/> keep fraction uniformly from <see cref="KeepFraction"/> (default [0.35, 0.8]).</summary>
public sealed class RandomGibbsRinging : IRandomAugmentation
{
    /// <summary>Range of the kept k-space fraction.</summary>
    public ParameterRange KeepFraction { get; init; } = new(0.35, 0.8);

    /// <inheritdoc/>
    public string Name => "gibbs ringing";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        KeepFraction.Validate("Gibbs keep fraction", 1e-3, 1);
        return new GibbsRinging { KeepFraction = KeepFraction.Sample(random) };
    }
}
