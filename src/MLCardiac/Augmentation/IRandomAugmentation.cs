namespace MLCardiac.Augmentation;

/// <summary>
/// A random augmentation (<c>RandomGamma</c>, <c>RandomGhosting</c>...): holds parameter distributions and draws
/// one deterministic <see cref="IAugmentation"/> from them, as TorchIO's and MONAI's random transforms do.
/// </summary>
public interface IRandomAugmentation
{
    /// <summary>Name used in logs, figure titles and the preset tables.</summary>
    string Name { get; }

    /// <summary>Whether the transform moves pixels (and so the label) rather than changing intensities only.</summary>
    bool IsSpatial { get; }

    /// <summary>Draws the parameters of one application from <paramref name="random"/>.</summary>
    IAugmentation Sample(AugmentationRandom random);
}
