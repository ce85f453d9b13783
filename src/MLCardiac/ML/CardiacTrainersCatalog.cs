namespace MLCardiac.ML;

/// <summary>The cardiac trainers: U-Net, DANN and the vendor classifier.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Catalog verbs are instance members, as in ML.NET's own catalogs.")]
public sealed class CardiacTrainersCatalog
{
    internal CardiacTrainersCatalog() { }

    /// <summary>A 2D U-Net trained on the labeled rows.</summary>
    /// <param name="epochs">Epochs (≥ 1).</param>
    /// <param name="iterationsPerEpoch">Steps per epoch; 0 = one pass over the labeled slices.</param>
    /// <param name="seed">Seed of every random choice.</param>
    public SegmentationTrainerEstimator UNet(int epochs = 30, int iterationsPerEpoch = 0, int seed = 1) =>
        new(new UNetTrainerOptions { Epochs = epochs, IterationsPerEpoch = iterationsPerEpoch, Seed = seed });

    /// <summary>A 2D U-Net with every setting.</summary>
    public SegmentationTrainerEstimator UNet(UNetTrainerOptions options) => new(options);

    /// <summary>A U-Net trained domain-adversarially with the rows of <paramref name="targetVendors"/> as unlabeled target data.</summary>
    /// <param name="targetVendors">Target vendors; empty: the domain head separates the labeled training vendors (at least two).</param>
    /// <param name="maxLambda">Largest gradient-reversal weight (≥ 0).</param>
    /// <param name="epochs">Epochs (≥ 1).</param>
    public SegmentationTrainerEstimator Dann(IEnumerable<string> targetVendors, double maxLambda = 0.3, int epochs = 30)
    {
        ArgumentNullException.ThrowIfNull(targetVendors);
        return new(new DannTrainerOptions { TargetVendors = targetVendors.ToArray(), MaxLambda = maxLambda, Epochs = epochs });
    }

    /// <summary>DANN with every setting.</summary>
    public SegmentationTrainerEstimator Dann(DannTrainerOptions options) => new(options);

    /// <summary>The ResNet vendor classifier with its unfamiliar-scanner threshold.</summary>
    /// <param name="epochs">Epochs (≥ 1).</param>
    /// <param name="seed">Seed of every random choice.</param>
    public VendorClassifierEstimator VendorClassifier(int epochs = 10, int seed = 1) =>
        new(new VendorClassifierTrainerOptions { Epochs = epochs, Seed = seed });

    /// <summary>The vendor classifier with every setting.</summary>
    public VendorClassifierEstimator VendorClassifier(VendorClassifierTrainerOptions options) => new(options);
}
