using System.Text.Json.Serialization;

namespace MLCardiac.Experiments;

/// <summary>
/// Which vendors and sources train and which test (<c>split</c>). Every vendor's labeled subjects (per source, when the
/// study reads several) are split once, with <see cref="Seed"/>, into a held-out test part (<see cref="TestFraction"/>)
/// and the rest; arms train on the rest of their training vendors in their training sources (less a validation share)
/// and every arm is tested on the same held-out subjects, so seen and unseen vendors — and arms — are compared on
/// identical cases.
/// </summary>
public sealed record SplitDefinition
{
    /// <summary>Vendors whose labeled subjects train the arms (<c>trainVendors</c>; an arm may override).</summary>
    public IReadOnlyList<string> TrainVendors { get; init; } = [];
    /// <summary>Vendors evaluated (<c>testVendors</c>); default: every labeled vendor.</summary>
    public IReadOnlyList<string> TestVendors { get; init; } = [];
    /// <summary>Vendors whose unlabeled subjects are DANN target data (<c>targetVendors</c>).</summary>
    public IReadOnlyList<string> TargetVendors { get; init; } = [];
    /// <summary>
    /// Data sources (<see cref="DataSourceDefinition.Label"/>) whose subjects may train the arms (<c>trainSources</c>; an arm
    /// may override); null: every source. A held-out source's cases are tested and never trained on.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? TrainSources { get; init; }
    /// <summary>
    /// Centres (as the data names them, e.g. M&amp;Ms centre codes) whose subjects may train the arms (<c>trainCentres</c>;
    /// an arm may override); null: every centre. A held-out centre's cases are tested as never seen — its vendor's other
    /// centres may train: the M&amp;Ms question of a new site with a known scanner make.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? TrainCentres { get; init; }
    /// <summary>Data sources evaluated (<c>testSources</c>); null: every source.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? TestSources { get; init; }
    /// <summary>Share of each vendor's labeled subjects held out for testing (<c>testFraction</c>, 0–1).</summary>
    public double TestFraction { get; init; } = 0.34;
    /// <summary>Share of each training vendor's remaining subjects used for validation (<c>validationFraction</c>, 0–1).</summary>
    public double ValidationFraction { get; init; } = 0.15;
    /// <summary>Seed of the subject split (<c>seed</c>).</summary>
    public int Seed { get; init; } = 1;
}
