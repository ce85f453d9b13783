using MLCardiac.Augmentation;

namespace MLCardiac.Training;

/// <summary>Connects the augmentation library to training.</summary>
public static class AugmentationAdapter
{
    /// <summary>
    /// A <see cref="SliceAugmenter"/> that applies <paramref name="pipeline"/> to each training row with the
    /// generator derived from (batch seed, row), so augmentation is reproducible and resumable.
    /// </summary>
    /// <param name="pipeline">The augmentation pipeline.</param>
    /// <param name="spacingMm">In-plane pixel spacing of the slices, mm (translations and elastic amplitudes are in mm).</param>
    public static SliceAugmenter ToSliceAugmenter(this AugmentationPipeline pipeline, double spacingMm)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return (image, label, height, width, seed, index) =>
            pipeline.Apply(new AugmentationSample(image, label, height, width, spacingMm, spacingMm), seed, index);
    }

    /// <summary>The pipeline as a <see cref="StackAugmenter"/> for stacks of slices with square pixels of <paramref name="spacingMm"/> (<see cref="AugmentationPipeline.ApplyToStack"/>).</summary>
    public static StackAugmenter ToStackAugmenter(this AugmentationPipeline pipeline, double spacingMm)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return (image, label, depth, height, width, seed, index) =>
            pipeline.ApplyToStack(image, label, depth, height, width, spacingMm, spacingMm, seed, index);
    }
}
