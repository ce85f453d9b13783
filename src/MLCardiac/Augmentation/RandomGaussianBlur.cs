namespace MLCardiac.Augmentation;

/// <summary>
/// Draws a <see cref="GaussianBlur"/> with σ uniform in <see cref="Sigma"/> drawn independently per axis
/// (nnU-Net v2: σ ∈ [0.5, 1] pixels, axes not synchronised, p = 0.2).
/// </summary>
public sealed class RandomGaussianBlur : IRandomAugmentation
{
    /// <summary>Range of σ in pixels.</summary>
    public ParameterRange Sigma { get; init; } = new(0.5, 1.0);

    /// <inheritdoc/>
    public string Name => "gaussian blur";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        Sigma.Validate("Blur σ", 0, 20);
        return new GaussianBlur { SigmaX = Sigma.Sample(random), SigmaY = Sigma.Sample(random) };
    }
}
