namespace MLCardiac.Augmentation;

/// <summary>One entry of an <see cref="AugmentationPipeline"/>: a random transform applied with a probability.</summary>
public sealed class AugmentationStep
{
    /// <summary>Creates a step that applies <paramref name="transform"/> with probability <paramref name="probability"/>.</summary>
    /// <exception cref="MLCardiacException"><paramref name="probability"/> is outside [0, 1].</exception>
    public AugmentationStep(IRandomAugmentation transform, double probability)
    {
        ArgumentNullException.ThrowIfNull(transform);
        if (!(probability >= 0 && probability <= 1))
        {
            throw new MLCardiacException($"Probability of '{transform.Name}' must be in [0, 1], got {probability}.");
        }

        Transform = transform;
        Probability = probability;
    }

    /// <summary>The random transform.</summary>
    public IRandomAugmentation Transform { get; }

    /// <summary>Probability in [0, 1] that the transform is applied to a sample.</summary>
    public double Probability { get; }
}
