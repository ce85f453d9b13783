using System.Text.Json.Serialization;

namespace MLCardiac.Experiments;

/// <summary>
/// One arm of an experiment (<c>arms[i]</c>), fully resolved: the experiment-level defaults with the arm's own
/// overrides applied, so an arm is everything needed to train one model.
/// </summary>
public sealed record ArmDefinition
{
    /// <summary>Arm name (<c>name</c>; letters, digits, '-', '_'): the folder name under models/ and reports/.</summary>
    public required string Name { get; init; }
    /// <summary>One line saying what the arm changes (<c>description</c>).</summary>
    public string Description { get; init; } = "";
    /// <summary>Augmentation (<c>augmentation</c>): see <see cref="MLCardiac.Augmentation.AugmentationOptions.Names"/>.</summary>
    public required string Augmentation { get; init; }
    /// <summary>Network (<c>model</c>; keys given here override the experiment's <c>model</c>).</summary>
    public required ModelDefinition Model { get; init; }
    /// <summary>Training budget (<c>training</c>; keys given here override the experiment's <c>training</c>).</summary>
    public required TrainingBudget Training { get; init; }
    /// <summary>Vendors whose labeled subjects train this arm (<c>trainVendors</c>; default: the split's).</summary>
    public required IReadOnlyList<string> TrainVendors { get; init; }
    /// <summary>Vendors whose unlabeled subjects are this arm's DANN target data (<c>targetVendors</c>; DANN only).</summary>
    public required IReadOnlyList<string> TargetVendors { get; init; }
    /// <summary>Data sources whose subjects may train this arm (<c>trainSources</c>; default: the split's); null: every source.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? TrainSources { get; init; }

    /// <summary>Centres whose subjects may train this arm (<c>trainCentres</c>; default: the split's); null: every centre.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? TrainCentres { get; init; }

    /// <summary>Whether this arm trains on subjects of <paramref name="source"/> (every source when <see cref="TrainSources"/> is null).</summary>
    public bool TrainsOnSource(string? source) => TrainSources is null || source is null || TrainSources.Contains(source);

    /// <summary>Whether this arm trains on subjects of <paramref name="centre"/> (every centre when <see cref="TrainCentres"/> is null; a case without a centre counts as trained-on).</summary>
    public bool TrainsOnCentre(string? centre) => TrainCentres is null || centre is null || TrainCentres.Contains(centre);
}
