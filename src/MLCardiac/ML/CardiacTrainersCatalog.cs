using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>The cardiac trainers: U-Net, DANN and the vendor classifier. Each takes its hyperparameters; the run context comes from the catalog.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Catalog verbs are instance members, as in ML.NET's own catalogs.")]
public sealed class CardiacTrainersCatalog
{
    private readonly CardiacRunContext _context;

    internal CardiacTrainersCatalog(CardiacRunContext context) => _context = context;

    /// <summary>A 2D U-Net trained on the labeled rows.</summary>
    /// <param name="epochs">Epochs (≥ 1).</param>
    /// <param name="iterationsPerEpoch">Steps per epoch; 0 = one pass over the labeled slices.</param>
    /// <param name="seed">Seed of every random choice.</param>
    public SegmentationTrainerEstimator UNet(int epochs = 30, int iterationsPerEpoch = 0, int seed = 1) =>
        UNet(new SegmentationTrainerOptions { Epochs = epochs, IterationsPerEpoch = iterationsPerEpoch, Seed = seed });

    /// <summary>A 2D U-Net — or a DANN when <see cref="SegmentationTrainerOptions.Dann"/> is set — with every setting.</summary>
    public SegmentationTrainerEstimator UNet(SegmentationTrainerOptions options) => new(options, _context);

    /// <summary>A U-Net trained domain-adversarially with the rows of <paramref name="targetVendors"/> as unlabeled target data.</summary>
    /// <param name="targetVendors">Target vendors; empty: the domain head separates the labeled training vendors (at least two).</param>
    /// <param name="maxLambda">Largest gradient-reversal weight (≥ 0).</param>
    /// <param name="epochs">Epochs (≥ 1).</param>
    public SegmentationTrainerEstimator Dann(IEnumerable<string> targetVendors, double maxLambda = 0.3, int epochs = 30)
    {
        ArgumentNullException.ThrowIfNull(targetVendors);
        return Dann(new DannOptions { TargetVendors = targetVendors.ToArray(), MaxLambda = maxLambda }, new SegmentationTrainerOptions { Epochs = epochs });
    }

    /// <summary>DANN with every setting: <paramref name="dann"/> on top of the U-Net's <paramref name="options"/>.</summary>
    public SegmentationTrainerEstimator Dann(DannOptions dann, SegmentationTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dann);
        return new((options ?? new SegmentationTrainerOptions()) with { Dann = dann }, _context);
    }

    /// <summary>The ResNet vendor classifier with its unfamiliar-scanner threshold.</summary>
    /// <param name="epochs">Epochs (≥ 1).</param>
    /// <param name="seed">Seed of every random choice.</param>
    public VendorClassifierEstimator VendorClassifier(int epochs = 10, int seed = 1) =>
        VendorClassifier(new VendorClassifierOptions { Epochs = epochs, Seed = seed });

    /// <summary>The vendor classifier with every setting.</summary>
    public VendorClassifierEstimator VendorClassifier(VendorClassifierOptions options) => new(options, _context);

    /// <summary>
    /// The quality control of a fitted segmentation stage: shift score, predicted Dice with interval and anatomical rules
    /// (<see cref="QualityControlEstimator"/>). Fit it on the training rows and the validation rows through the same
    /// Preprocess stage.
    /// </summary>
    public QualityControlEstimator QualityControl(SegmentationTransformer segmentation, Inference.QualityControlOptions? options = null) =>
        new(segmentation, options ?? new Inference.QualityControlOptions(), _context);
}
