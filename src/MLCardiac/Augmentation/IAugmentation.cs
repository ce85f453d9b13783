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

    /// <summary>
    /// The effect as it applies to slice <paramref name="slice"/> of a stack augmented as one volume
    /// (<see cref="AugmentationPipeline.ApplyToStack"/>): the same effect for every slice — one rotation, one contrast change —
    /// except where the effect is a random field that real acquisitions draw anew per slice (noise), which derives its own
    /// seed per slice.
    /// </summary>
    IAugmentation ForSlice(int slice) => this;
}
