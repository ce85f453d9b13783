namespace MLCardiac.Experiments;

/// <summary>Parameters of the embedded synthetic multi-vendor dataset an experiment generates (<c>data.synthetic</c>).</summary>
public sealed record SyntheticDataDefinition
{
    /// <summary>Generator seed (<c>seed</c>); the same seed writes the same subjects.</summary>
    public ulong Seed { get; init; } = Data.Synthetic.SyntheticCohortOptions.DefaultSeed;
    /// <summary>Labeled subjects per vendor (<c>subjectsPerVendor</c>, ≥ 2).</summary>
    public int SubjectsPerVendor { get; init; } = 12;
    /// <summary>Vendors written with labels (<c>vendors</c>; codes of the built-in vendor profiles, A–D).</summary>
    public IReadOnlyList<string> Vendors { get; init; } = ["A", "B", "C", "D"];
    /// <summary>Vendors that also get unlabeled subjects (<c>unlabeledVendors</c>): DANN target data.</summary>
    public IReadOnlyList<string> UnlabeledVendors { get; init; } = [];
    /// <summary>Unlabeled subjects per unlabeled vendor (<c>unlabeledPerVendor</c>).</summary>
    public int UnlabeledPerVendor { get; init; } = 6;
    /// <summary>Fewest cine frames per subject (<c>minFrames</c>).</summary>
    public int MinFrames { get; init; } = 20;
    /// <summary>Most cine frames per subject (<c>maxFrames</c>).</summary>
    public int MaxFrames { get; init; } = 30;
}
