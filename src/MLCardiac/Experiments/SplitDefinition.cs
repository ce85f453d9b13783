namespace MLCardiac.Experiments;

/// <summary>
/// Which vendors train and which test (<c>split</c>). Every vendor's labeled subjects are split once, with
/// <see cref="Seed"/>, into a held-out test part (<see cref="TestFraction"/>) and the rest; arms train on the
/// rest of their training vendors (less a validation share) and every arm is tested on the same held-out
/// subjects, so seen and unseen vendors — and arms — are compared on identical cases.
/// </summary>
public sealed record SplitDefinition
{
    /// <summary>Vendors whose labeled subjects train the arms (<c>trainVendors</c>; an arm may override).</summary>
    public IReadOnlyList<string> TrainVendors { get; init; } = [];
    /// <summary>Vendors evaluated (<c>testVendors</c>); default: every labeled vendor.</summary>
    public IReadOnlyList<string> TestVendors { get; init; } = [];
    /// <summary>Vendors whose unlabeled subjects are DANN target data (<c>targetVendors</c>).</summary>
    public IReadOnlyList<string> TargetVendors { get; init; } = [];
    /// <summary>Share of each vendor's labeled subjects held out for testing (<c>testFraction</c>, 0–1).</summary>
    public double TestFraction { get; init; } = 0.34;
    /// <summary>Share of each training vendor's remaining subjects used for validation (<c>validationFraction</c>, 0–1).</summary>
    public double ValidationFraction { get; init; } = 0.15;
    /// <summary>Seed of the subject split (<c>seed</c>).</summary>
    public int Seed { get; init; } = 1;
}
