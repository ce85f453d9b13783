namespace MLCardiac.Data.Synthetic;

/// <summary>What <see cref="SyntheticDatasetWriter"/> writes: which vendors, how many subjects each, which are unlabeled.</summary>
public sealed record SyntheticDatasetRequest
{
    /// <summary>Vendors written as labeled subjects (Training/Labeled); default A, B, C, D.</summary>
    public IReadOnlyList<VendorProfile> Vendors { get; init; } = VendorProfiles.All;

    /// <summary>
    /// Vendors written as unlabeled target-domain subjects (Training/Unlabeled, no _gt file). A vendor may be both
    /// labeled and unlabeled: its unlabeled subjects are then other subjects (the indices after the labeled ones),
    /// as in M&amp;Ms, where vendor C has unlabeled training cases and labeled test cases.
    /// </summary>
    public IReadOnlyList<VendorProfile> UnlabeledVendors { get; init; } = [];

    /// <summary>Unlabeled subjects per unlabeled vendor; null means <see cref="SubjectsPerVendor"/>.</summary>
    public int? UnlabeledPerVendor { get; init; }

    /// <summary>Subjects generated per vendor (≥ 1).</summary>
    public int SubjectsPerVendor { get; init; } = 25;

    /// <summary>Subjects generated at the same time (default: one per processor core).</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}
