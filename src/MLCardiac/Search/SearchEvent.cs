namespace MLCardiac.Search;

/// <summary>What happened in a search (for live tables and logs).</summary>
public enum SearchEventKind
{
    /// <summary>A worker claimed a trial.</summary>
    Started,
    /// <summary>A trial reported its metric after an epoch.</summary>
    Epoch,
    /// <summary>A trial finished (completed, stopped or failed).</summary>
    Finished,
    /// <summary>A trial was put back to pending (cancellation or the wall-time budget).</summary>
    Released,
}

/// <summary>A progress report of a running search.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Trial">Trial number.</param>
/// <param name="Parameters">The trial's configuration.</param>
/// <param name="Epoch">Epochs done (for <see cref="SearchEventKind.Epoch"/>).</param>
/// <param name="Epochs">Epoch budget of the trial.</param>
/// <param name="Metric">Latest metric, if any.</param>
/// <param name="Status">Status after the event.</param>
/// <param name="Elapsed">Time since this run of the search started.</param>
public sealed record SearchEvent(SearchEventKind Kind, int Trial, ParameterAssignment Parameters, int? Epoch, int Epochs, double? Metric, TrialStatus Status, TimeSpan Elapsed);
