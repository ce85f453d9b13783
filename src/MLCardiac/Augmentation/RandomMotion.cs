namespace MLCardiac.Augmentation;

/// <summary>
/// Draws a <see cref="Motion"/> (TorchIO's <c>RandomMotion</c> defaults): <see cref="NumEvents"/> movements at
/// uniform times in (0.1, 0.9) (so the k-space centre may come from either position), rotation ∈ ±10°,
/// translation ∈ ±10 mm per axis, phase-encoding axis at random.
/// </summary>
public sealed class RandomMotion : IRandomAugmentation
{
    /// <summary>Number of movements.</summary>
    public int NumEvents { get; init; } = 2;

    /// <summary>Rotation range in degrees.</summary>
    public ParameterRange RotationDegrees { get; init; } = ParameterRange.Symmetric(10);

    /// <summary>Translation range in mm.</summary>
    public ParameterRange TranslationMm { get; init; } = ParameterRange.Symmetric(10);

    /// <inheritdoc/>
    public string Name => "motion";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        RotationDegrees.Validate("Motion rotation");
        TranslationMm.Validate("Motion translation");
        if (NumEvents < 0)
        {
            throw new MLCardiacException($"NumEvents must be ≥ 0, got {NumEvents}.");
        }

        int axis = random.NextInt(2);
        var events = new MotionEvent[NumEvents];
        for (int i = 0; i < NumEvents; i++)
        {
            events[i] = new MotionEvent(
                random.NextUniform(0.1, 0.9),
                RotationDegrees.Sample(random),
                TranslationMm.Sample(random),
                TranslationMm.Sample(random));
        }

        return new Motion(axis, events);
    }
}
