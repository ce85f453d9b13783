using Microsoft.ML;
using MLCardiac.Data;

namespace MLCardiac.ML;

/// <summary>
/// Datasets as lazy <see cref="IDataView"/>s of case rows (one per subject × ED/ES frame; columns in
/// <see cref="CardiacColumnNames"/>) and splits that never put one subject on both sides.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Catalog verbs are instance members, as in ML.NET's own catalogs.")]
public sealed class CardiacDataCatalog
{
    internal CardiacDataCatalog() { }

    /// <summary>
    /// The records of a dataset folder in any supported layout (folder + cases.csv, M&amp;Ms and the synthetic dataset,
    /// M&amp;Ms-2, ACDC) as a data view; only the index is read, volumes are read when a cursor asks.
    /// Throws <see cref="MLCardiacException"/> naming the folder when no layout fits.
    /// </summary>
    public IDataView FromDirectory(string path) => new CaseDataView(DatasetLayouts.Load(path).Records);

    /// <summary>Records already in memory as a data view.</summary>
    public IDataView FromRecords(IEnumerable<CaseRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return new CaseDataView(records.ToArray());
    }

    /// <summary>The records behind a case data view (or any view with the case columns).</summary>
    public IReadOnlyList<CaseRecord> Records(IDataView cases) => CaseDataView.RecordsOf(cases, nameof(Records));

    /// <summary>
    /// Trains on some vendors, tests on the others: the training side holds the subjects of
    /// <paramref name="trainVendors"/> except a held-out share, plus the unlabeled subjects of
    /// <paramref name="targetVendors"/> (DANN's target data); the test side holds the held-out labeled subjects of the
    /// training vendors (the "seen" test) and every labeled subject of the other vendors whose labels were not used
    /// (the "unseen" test). A subject is never on both sides.
    /// </summary>
    /// <param name="cases">Case rows.</param>
    /// <param name="trainVendors">Vendors whose labeled data trains (at least one, present in the data).</param>
    /// <param name="targetVendors">Vendors whose unlabeled subjects join the training side; none when null.</param>
    /// <param name="heldOutFraction">Share of each training vendor's subjects kept for the seen-vendor test, in [0, 1).</param>
    /// <param name="seed">Seed of the subject split.</param>
    public (IDataView Train, IDataView Test) SplitByVendor(IDataView cases, IEnumerable<string> trainVendors, IEnumerable<string>? targetVendors = null,
        double heldOutFraction = 0.2, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(trainVendors);
        var records = CaseDataView.RecordsOf(cases, nameof(SplitByVendor));
        var train = trainVendors.ToHashSet(StringComparer.Ordinal);
        var targets = (targetVendors ?? []).ToHashSet(StringComparer.Ordinal);
        var present = records.Select(r => r.Vendor).ToHashSet(StringComparer.Ordinal);
        if (train.Count == 0) throw new ArgumentException("At least one training vendor is needed.", nameof(trainVendors));
        foreach (string v in train.Concat(targets))
            if (!present.Contains(v)) throw new ArgumentException($"Vendor \"{v}\" has no rows; the data has [{string.Join(", ", present.Order(StringComparer.Ordinal))}].", train.Contains(v) ? nameof(trainVendors) : nameof(targetVendors));
        if (train.Overlaps(targets)) throw new ArgumentException($"Vendors [{string.Join(", ", train.Intersect(targets))}] are both training and target vendors.", nameof(targetVendors));
        if (!(heldOutFraction is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, "must be in [0, 1)");

        var (trainSeen, heldOut) = SubjectSplit.BySubject(records.Where(r => train.Contains(r.Vendor)), heldOutFraction, seed);
        var labeledSubjects = records.Where(r => r.IsLabeled).Select(r => r.Subject).ToHashSet(StringComparer.Ordinal);
        // A target subject with any label goes to the test side whole; one without labels to the training side whole.
        var targetTrain = records.Where(r => targets.Contains(r.Vendor) && !labeledSubjects.Contains(r.Subject));
        var others = records.Where(r => !train.Contains(r.Vendor) && r.IsLabeled);
        return (new CaseDataView([.. trainSeen, .. targetTrain]), new CaseDataView([.. heldOut.Where(r => r.IsLabeled), .. others]));
    }

    /// <summary>A random split by subject, stratified by vendor: about <paramref name="testFraction"/> of each vendor's subjects go to the test side.</summary>
    public (IDataView Train, IDataView Test) SplitBySubject(IDataView cases, double testFraction = 0.2, int seed = 1)
    {
        var (first, second) = SubjectSplit.BySubject(CaseDataView.RecordsOf(cases, nameof(SplitBySubject)), testFraction, seed);
        return (new CaseDataView(first), new CaseDataView(second));
    }

    /// <summary>
    /// Cross-validation by subject, stratified by vendor (<see cref="SubjectSplit.Folds"/>; what ML.NET's
    /// <c>CrossValidationSplit</c> does with <c>samplingKeyColumnName</c> = Subject): <paramref name="folds"/> (train,
    /// validation) pairs in which every subject is validated exactly once. Fit each pair with
    /// <see cref="CardiacSegmentationCatalog.FitPipeline"/> and combine the fits with <see cref="CardiacSegmentationCatalog.Ensemble"/>.
    /// </summary>
    public IReadOnlyList<(IDataView Train, IDataView Validation)> CrossValidationSplit(IDataView cases, int folds = 5, int seed = 1) =>
        [.. SubjectSplit.Folds(CaseDataView.RecordsOf(cases, nameof(CrossValidationSplit)), folds, seed).Select(f => ((IDataView)new CaseDataView(f.Train), (IDataView)new CaseDataView(f.Validation)))];

    /// <summary>One (held-out vendor, train, test) triple per vendor: the test side is that vendor's labeled rows, the training side every other vendor's rows.</summary>
    public IEnumerable<(string Vendor, IDataView Train, IDataView Test)> LeaveOneVendorOut(IDataView cases)
    {
        var records = CaseDataView.RecordsOf(cases, nameof(LeaveOneVendorOut));
        return SubjectSplit.LeaveOneVendorOut(records)
            .Select(s => (s.HeldOutVendor, (IDataView)new CaseDataView(s.Train), (IDataView)new CaseDataView(s.HeldOut.Where(r => r.IsLabeled).ToArray())))
            .ToArray();
    }
}
