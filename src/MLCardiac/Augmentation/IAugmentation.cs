namespace MLCardiac.Augmentation;

/// <summary>
/// A deterministic augmentation with all its parameters fixed (<c>Gamma</c>, <c>Ghosting</c>...): applying it
/// twice to the same input gives the same output. Produced by an <see cref="IRandomAugmentation"/> so that
/// every random sample can be logged and replayed.
/// </summary>
public interface IAugmentation
{
    /// <summary>Short name for logs and figure titles, with the parameter values.</summary>
    string Describe();

    /// <summary>Applies the effect in place, using <paramref name="workspace"/> for scratch memory.</summary>
    void Apply(AugmentationSample sample, AugmentationWorkspace workspace);
}
