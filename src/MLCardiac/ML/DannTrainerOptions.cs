using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// Settings of <see cref="CardiacTrainersCatalog.Dann(DannTrainerOptions)"/>: a U-Net trained domain-adversarially
/// (Ganin et al. 2016) with the unlabeled rows of <see cref="TargetVendors"/> joining every batch. Defaults are those
/// of <see cref="Training.DannOptions"/>.
/// </summary>
public sealed class DannTrainerOptions : UNetTrainerOptions
{
    private static readonly Training.DannOptions Defaults = new();

    /// <summary>
    /// Vendors whose rows are the unlabeled target domain (their labels, if any, are never used). Empty: no target data —
    /// the domain head tells the labeled training vendors apart (at least two), so the features are made vendor-invariant
    /// across the training vendors alone (domain generalisation, as the search's leave-one-vendor-out trials train DANN).
    /// </summary>
    public IReadOnlyList<string> TargetVendors { get; init; } = [];
    /// <summary>Largest gradient-reversal weight λ (the schedule rises from 0 towards it).</summary>
    public double MaxLambda { get; init; } = Defaults.MaxLambda;
    /// <summary>γ of Ganin's schedule 2/(1+exp(−γp))−1.</summary>
    public double Gamma { get; init; } = Defaults.Gamma;
    /// <summary>Weight of the domain cross-entropy in the total loss.</summary>
    public double DomainLossWeight { get; init; } = Defaults.DomainLossWeight;
    /// <summary>Unlabeled target rows per batch, as a fraction of the batch size.</summary>
    public double TargetFraction { get; init; } = Defaults.TargetFraction;
    /// <summary>Hidden width of the domain head.</summary>
    public int HiddenFeatures { get; init; } = Defaults.HiddenFeatures;

    internal override SegmentationTrainerOptions ToTrainerOptions(Augmentation.AugmentationPreset augmentation, double sliceSpacingMm) =>
        base.ToTrainerOptions(augmentation, sliceSpacingMm) with
        {
            Dann = Defaults with
            {
                MaxLambda = MaxLambda, Gamma = Gamma, DomainLossWeight = DomainLossWeight, TargetFraction = TargetFraction, HiddenFeatures = HiddenFeatures,
            },
        };
}
