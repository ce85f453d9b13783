namespace MLCardiac.Augmentation;

/// <summary>
/// Draws a <see cref="Gamma"/>: γ from <see cref="Range"/> with nnU-Net's <c>BGContrast</c> rule (half of the
/// draws below 1, half above). nnU-Net v2 default: γ ∈ [0.7, 1.5], p = 0.3, plus an inverted gamma with p = 0.1,
/// both restoring mean and standard deviation.
/// </summary>
public sealed class RandomGamma : IRandomAugmentation
{
    /// <summary>Range of γ.</summary>
    public ParameterRange Range { get; init; } = new(0.7, 1.5);

    /// <summary>Whether the drawn transforms are inverted gammas.</summary>
    public bool Invert { get; init; }

    /// <summary>Whether the drawn transforms restore mean and standard deviation.</summary>
    public bool RetainStats { get; init; } = true;

    /// <inheritdoc/>
    public string Name => Invert ? "inverted gamma" : "gamma";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        Range.Validate("Gamma range", 1e-3);
        return new Gamma { Value = Range.SampleAroundOne(random), Invert = Invert, RetainStats = RetainStats };
    }
}
