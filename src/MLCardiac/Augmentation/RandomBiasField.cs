namespace MLCardiac.Augmentation;

/// <summary>
/// Draws a <see cref="BiasField"/> with every coefficient uniform in <see cref="Coefficients"/> (TorchIO's
/// <c>RandomBiasField</c>: order 3, coefficients ∈ [−0.5, 0.5]).
/// </summary>
public sealed class RandomBiasField : IRandomAugmentation
{
    /// <summary>Polynomial order (0..3).</summary>
    public int Order { get; init; } = 3;

    /// <summary>Range of each coefficient.</summary>
    public ParameterRange Coefficients { get; init; } = ParameterRange.Symmetric(0.5);

    /// <inheritdoc/>
    public string Name => "bias field";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Coefficients.Validate("Bias field coefficients");
        if (Order is < 0 or > 3)
        {
            throw new MLCardiacException($"Bias field order must be 0..3, got {Order}.");
        }

        var c = new double[(Order + 1) * (Order + 2) / 2];
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = Coefficients.Sample(random);
        }

        return new BiasField(Order, c);
    }
}
