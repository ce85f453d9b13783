namespace MLCardiac.Experiments;

/// <summary>Where a study reads its data and writes its models and reports.</summary>
public sealed record ExperimentRunOptions
{
    /// <summary>
    /// Dataset folder. Null: <c>data/&lt;experiment-id&gt;</c> for synthetic experiments, <c>data.path</c> otherwise.
    /// A folder that already holds a dataset is used as it is; an empty or missing one receives the synthetic data.
    /// </summary>
    public string? DataDirectory { get; init; }
    /// <summary>Root of the model folders (models go to <c>ROOT/&lt;experiment-id&gt;/&lt;arm&gt;/seed-N/model.zip</c>).</summary>
    public string ModelsRoot { get; init; } = "models";
    /// <summary>Root of the report folders (<c>ROOT/&lt;experiment-id&gt;/</c>).</summary>
    public string ReportsRoot { get; init; } = "reports";
    /// <summary>Where the arms share their prepared slices (<see cref="ML.PreparedSliceCache"/>); null: the default folder.</summary>
    public string? CacheDirectory { get; init; }
}
