namespace MLCardiac.Search;

/// <summary>The outcome of <see cref="SearchExperiment.RunAsync"/>.</summary>
public sealed record SearchResult
{
    /// <summary>Search id in the store.</summary>
    public required string SearchId { get; init; }
    /// <summary>Metric name and direction.</summary>
    public required string MetricName { get; init; }
    /// <summary>True when a larger metric is better.</summary>
    public required bool Maximize { get; init; }
    /// <summary>Tuner used.</summary>
    public required TunerKind Tuner { get; init; }
    /// <summary>Every trial in the store, in trial order (including those of earlier, interrupted runs).</summary>
    public required IReadOnlyList<TrialRecord> Trials { get; init; }
    /// <summary>The best finished trial (completed trials first), or null when none finished.</summary>
    public TrialRecord? Best { get; init; }
    /// <summary>The default pipeline's trial, when the search evaluated it.</summary>
    public TrialRecord? Default { get; init; }
    /// <summary>Wall time of this run.</summary>
    public required TimeSpan WallTime { get; init; }
    /// <summary>True when the store already held this search (a resume).</summary>
    public bool Resumed { get; init; }
    /// <summary>Trials this run executed (finished), not counting earlier runs'.</summary>
    public int TrialsRun { get; init; }
    /// <summary>The best configuration refitted on all training data, when refitting was asked for.</summary>
    public RefitResult? BestRefit { get; init; }
    /// <summary>The default configuration refitted the same way, when asked for (to compare on the test vendors).</summary>
    public RefitResult? DefaultRefit { get; init; }
}
