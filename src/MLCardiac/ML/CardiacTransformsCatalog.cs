using MLCardiac.Augmentation;
using MLCardiac.Preprocessing;

namespace MLCardiac.ML;

/// <summary>The cardiac transforms: NIfTI loading, slice preprocessing and (fit-time) augmentation.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Catalog verbs are instance members, as in ML.NET's own catalogs.")]
public sealed class CardiacTransformsCatalog
{
    internal CardiacTransformsCatalog() { }

    /// <summary>Reads each row's image frame and reference labels from its NIfTI files when a cursor asks.</summary>
    public NiftiLoaderEstimator LoadNifti() => new();

    /// <summary>Resamples each volume in-plane to <paramref name="spacingMm"/>, crops or pads to <paramref name="size"/>² and normalises it.</summary>
    /// <param name="spacingMm">Target in-plane spacing in mm (&gt; 0).</param>
    /// <param name="size">Side of the square slices in pixels (a multiple of 2^depth of the U-Net).</param>
    public SlicePreprocessingEstimator Preprocess(double spacingMm = PreprocessingOptions.DefaultSpacingMm, int size = PreprocessingOptions.DefaultSize) =>
        new(new PreprocessingOptions { SpacingMm = spacingMm, Size = size });

    /// <summary>Preprocessing with every setting (clip percentiles included).</summary>
    public SlicePreprocessingEstimator Preprocess(PreprocessingOptions options) => new(options);

    /// <summary>
    /// Augmentation with <paramref name="preset"/>, applied by the trainers to every training batch; a pass-through at
    /// transform time (see <see cref="AugmentationTransformer"/>).
    /// </summary>
    public AugmentationEstimator Augment(AugmentationPreset preset = AugmentationPreset.Standard) => new(preset);
}
