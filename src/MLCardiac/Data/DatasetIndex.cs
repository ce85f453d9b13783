namespace MLCardiac.Data;

/// <summary>The records of a dataset and every problem found while indexing it.</summary>
/// <param name="Layout">Detected layout name.</param>
/// <param name="Root">Dataset folder.</param>
/// <param name="Records">Usable records (ED and ES per subject).</param>
/// <param name="Problems">Problems found, all of them.</param>
public sealed record DatasetIndex(string Layout, string Root, IReadOnlyList<CaseRecord> Records, IReadOnlyList<DatasetProblem> Problems)
{
    /// <summary>Distinct vendors, sorted.</summary>
    public IReadOnlyList<string> Vendors => Records.Select(r => r.Vendor).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}
