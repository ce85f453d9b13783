namespace MLCardiac.Augmentation;

/// <summary>
/// Draws a <see cref="Ghosting"/> (TorchIO's <c>RandomGhosting</c> defaults): ghost period 4–10 lines,
/// phase-encoding axis chosen at random among <see cref="Axes"/>, intensity ∈ [0.5, 1], 2 % of the centre kept.
/// </summary>
public sealed class RandomGhosting : IRandomAugmentation
{
    /// <summary>Smallest ghost period.</summary>
    public int MinGhosts { get; init; } = 4;

    /// <summary>Largest ghost period.</summary>
    public int MaxGhosts { get; init; } = 10;

    /// <summary>Phase-encoding axes to choose from (0 = rows, 1 = columns).</summary>
    public IReadOnlyList<int> Axes { get; init; } = [0, 1];

    /// <summary>Range of the intensity.</summary>
    public ParameterRange Intensity { get; init; } = new(0.5, 1.0);

    /// <summary>Fraction of the k-space centre left untouched.</summary>
    public double RestoreFraction { get; init; } = 0.02;

    /// <inheritdoc/>
    public string Name => "ghosting";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Intensity.Validate("Ghosting intensity", 0, 1);
        if (MinGhosts < 2 || MaxGhosts < MinGhosts || Axes.Count == 0)
        {
            throw new MLCardiacException($"Ghosting needs 2 ≤ MinGhosts ≤ MaxGhosts and at least one axis; got [{MinGhosts}, {MaxGhosts}].");
        }

        return new Ghosting
        {
            NumGhosts = MinGhosts + random.NextInt(MaxGhosts - MinGhosts + 1),
            Axis = Axes[random.NextInt(Axes.Count)],
            Intensity = Intensity.Sample(random),
            RestoreFraction = RestoreFraction,
        };
    }
}
