using MLCardiac.Evaluation;

namespace MLCardiac.ML;

/// <summary>
/// What <see cref="CardiacSegmentationCatalog.Evaluate"/> measures on a pipeline's predictions: 3D metrics in mm per
/// labeled row (<see cref="CaseResult"/>: LV, MYO, RV), their summaries per vendor (<see cref="VendorSummary"/>: Dice with
/// a 95 % bootstrap interval, HD95, Hausdorff, ASSD, clinical-index agreement), over all rows, and pooled over the
/// vendors the model was trained on (seen) against the others (unseen, DANN targets included).
/// </summary>
public sealed class SegmentationMetrics
{
    internal SegmentationMetrics(IReadOnlyList<CaseResult> cases, IReadOnlyList<VendorSummary> vendors, VendorSummary overall,
        VendorSummary? seen, VendorSummary? unseen, IReadOnlyList<string> trainVendors, IReadOnlyList<string> targetVendors)
    {
        Cases = cases;
        Vendors = vendors;
        Overall = overall;
        Seen = seen;
        Unseen = unseen;
        TrainVendors = trainVendors;
        TargetVendors = targetVendors;
    }

    /// <summary>One result per labeled row, in row order.</summary>
    public IReadOnlyList<CaseResult> Cases { get; }
    /// <summary>One summary per vendor (sorted), its role "seen", "target" or "unseen".</summary>
    public IReadOnlyList<VendorSummary> Vendors { get; }
    /// <summary>All labeled rows together (vendor "all").</summary>
    public VendorSummary Overall { get; }
    /// <summary>Rows of the vendors whose labeled data trained the model (vendor "seen"); null when there are none.</summary>
    public VendorSummary? Seen { get; }
    /// <summary>Rows of every other vendor, DANN targets included (vendor "unseen"); null when there are none.</summary>
    public VendorSummary? Unseen { get; }
    /// <summary>Vendors whose labeled data trained the model (from the <c>PredictedLabel</c> annotation).</summary>
    public IReadOnlyList<string> TrainVendors { get; }
    /// <summary>DANN target vendors.</summary>
    public IReadOnlyList<string> TargetVendors { get; }
}
