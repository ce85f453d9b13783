using MLCardiac.Augmentation;
using MLCardiac.Inference;
using MLCardiac.Preprocessing;

namespace MLCardiac.ML;

/// <summary>The cardiac transforms: NIfTI loading, slice preprocessing, (fit-time) augmentation and ONNX segmentation models.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Catalog verbs are instance members, as in ML.NET's own catalogs.")]
public sealed class CardiacTransformsCatalog
{
    private readonly CardiacRunContext _context;

    internal CardiacTransformsCatalog(CardiacRunContext context) => _context = context;

    /// <summary>Reads each row's image frame and reference labels from its NIfTI files when a cursor asks.</summary>
    public NiftiLoaderEstimator LoadNifti() => new();

    /// <summary>Resamples each volume in-plane to <paramref name="spacingMm"/>, crops or pads to <paramref name="size"/>² and normalises it.</summary>
    /// <param name="spacingMm">Target in-plane spacing in mm (&gt; 0).</param>
    /// <param name="size">Side of the square slices in pixels (a multiple of 2^depth of the U-Net).</param>
    public SlicePreprocessingEstimator Preprocess(double spacingMm = PreprocessingOptions.DefaultSpacingMm, int size = PreprocessingOptions.DefaultSize) =>
        Preprocess(new PreprocessingOptions { SpacingMm = spacingMm, Size = size });

    /// <summary>Preprocessing with every setting (clip percentiles included).</summary>
    public SlicePreprocessingEstimator Preprocess(PreprocessingOptions options) => new(options, _context.PreparedCache);

    /// <summary>
    /// Augmentation with <paramref name="preset"/>, applied by the trainers to every training batch; a pass-through at
    /// transform time (see <see cref="AugmentationTransformer"/>).
    /// </summary>
    public AugmentationEstimator Augment(AugmentationPreset preset = AugmentationPreset.Standard) => new(AugmentationOptions.Of(preset));

    /// <summary>Augmentation with every setting: a preset or one family of the heavy preset, at a strength.</summary>
    public AugmentationEstimator Augment(AugmentationOptions options) => new(options);

    /// <summary>
    /// Segments each row's volume with the ONNX segmentation model at <paramref name="path"/> — ours or one exported from
    /// PyTorch, nnU-Net or MONAI — into <c>PredictedLabel</c> on the image's own grid, as a trained U-Net does, so
    /// <see cref="CardiacSegmentationCatalog.Evaluate"/> scores it. The model file of the pipeline keeps the ONNX bytes.
    /// </summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="options">Input/output names, output kind (logits, probabilities, labels), label map onto our labels, expected slice size and spacing; null: taken from the model.</param>
    /// <param name="mirrorTta">Average the probabilities over x, y and xy mirror images (only for logits/probabilities outputs).</param>
    public OnnxSegmentationEstimator ApplySegmentationOnnx(string path, OnnxSegmentationOptions? options = null, bool mirrorTta = false) =>
        new(path, options, mirrorTta);
}
