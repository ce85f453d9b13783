namespace MLCardiac.Search;

/// <summary>
/// Where a search's trials live and how workers share them: the one contract both stores implement —
/// <see cref="SqliteTrialStore"/> (one file, embedded; processes of one machine) and <see cref="PostgresTrialStore"/>
/// (a served database; workers on many machines). <see cref="TrialStores.Open"/> picks one from a location.
/// </summary>
/// <remarks>
/// The semantics are the same on both, and one test suite checks them on both: a claim is atomic (a trial is run by one
/// worker at a time), a running trial carries a heartbeat and goes back to the pool when its heartbeat is older than the
/// claimer's stale timeout, proposals are serialised per search (so the tuner sees every earlier proposal), results are
/// accepted only from the worker that holds the trial, and every change is stamped with the search's event counter so a
/// tuner can be rebuilt by replaying the history. Every operation may be called from any thread; a store object holds no
/// connection between calls. Operations that cannot reach the store throw <see cref="MLCardiacException"/> naming it
/// (a served store first retries for a bounded time, see <see cref="PostgresTrialStore.RetryFor"/>).
/// </remarks>
public interface ITrialStore
{
    /// <summary>What the store is, for messages: the SQLite file's path, or the PostgreSQL URL with its password masked.</summary>
    string Location { get; }

    /// <summary>
    /// Creates search <paramref name="searchId"/> with <paramref name="settingsJson"/> (what a worker needs to rebuild it), or
    /// checks that the stored one has the same <paramref name="fingerprint"/> (space, tuner, seed, budget per trial…), so a
    /// resumed search continues exactly the search it claims to.
    /// </summary>
    /// <returns>True when the search already existed (a resume).</returns>
    /// <exception cref="MLCardiacException">The stored search was made with other settings.</exception>
    bool EnsureSearch(string searchId, string fingerprint, string settingsJson);

    /// <summary>The stored search <paramref name="searchId"/> (fingerprint, settings, event counter), or null when there is none.</summary>
    StoredSearch? LoadSearch(string searchId);

    /// <summary>The ids of every search in the store, in id order.</summary>
    IReadOnlyList<string> ListSearches();

    /// <summary>The trials of <paramref name="searchId"/> in trial order, with their intermediate metrics.</summary>
    IReadOnlyList<TrialRecord> LoadTrials(string searchId, SearchSpace? space = null);

    /// <summary>One trial of <paramref name="searchId"/> with its intermediate metrics.</summary>
    /// <exception cref="MLCardiacException">The trial does not exist.</exception>
    TrialRecord LoadTrial(string searchId, int trial, SearchSpace? space = null);

    /// <summary>
    /// Claims work for <paramref name="worker"/> atomically: the trial the worker already holds (its earlier claim went through
    /// but the answer was lost), else the lowest pending trial, else the lowest running trial whose heartbeat is older than
    /// <paramref name="staleAfter"/> (its worker died; its intermediate results are discarded), else a new trial from
    /// <paramref name="propose"/>, which sees the whole history — no other proposal of this search runs meanwhile — and
    /// returns null when the budget allows no more trials.
    /// </summary>
    /// <returns>The claimed trial (status running), or null when there is nothing to do.</returns>
    TrialRecord? Claim(string searchId, string worker, TimeSpan staleAfter, Func<IReadOnlyList<TrialRecord>, NewTrial?> propose, SearchSpace? space = null);

    /// <summary>
    /// Refreshes the heartbeat of a trial <paramref name="worker"/> runs; false when the worker lost it. Tried once (the
    /// next beat tries again): throws <see cref="MLCardiacException"/> when the store cannot be reached.
    /// </summary>
    bool Heartbeat(string searchId, int trial, string worker);

    /// <summary>
    /// Records the metric after <paramref name="epoch"/> epochs and, when <paramref name="decide"/> is given (a rung),
    /// decides atomically — no other rung decision of this search runs meanwhile — whether the trial continues, from the
    /// values other trials recorded at that epoch before. Returns false when the trial must stop (or the worker lost it).
    /// </summary>
    bool RecordIntermediate(string searchId, int trial, string worker, int epoch, double value, Func<IReadOnlyList<double>, bool>? decide);

    /// <summary>
    /// Stores the result of a trial <paramref name="worker"/> ran, with <paramref name="outputs"/> (<see cref="TrialRecord.Outputs"/>)
    /// in the same transaction; false when the worker had lost it (nothing written).
    /// </summary>
    bool Finish(string searchId, int trial, string worker, TrialStatus status, double? metric, double? cost, double seconds,
        IReadOnlyDictionary<string, double>? details, string? errorMessage, string? outputs = null);

    /// <summary>Puts a running trial back to pending (its worker was cancelled); its intermediate results are discarded.</summary>
    void Release(string searchId, int trial, string worker);

    /// <summary>
    /// Writes a whole search read from another store (<see cref="TrialStoreCopy"/>): the search row and its trials as they
    /// are, event numbers included, so the copy replays to the same tuner state. A trial that was running is written as
    /// pending (its worker cannot reach this store). One transaction: all or nothing.
    /// </summary>
    /// <exception cref="MLCardiacException">The store already has a search with this id.</exception>
    void Import(StoredSearch search, IReadOnlyList<TrialRecord> trials);
}

/// <summary>A search as stored: what must match to resume it, what a worker needs to rebuild it, and its event counter.</summary>
/// <param name="Id">Search id.</param>
/// <param name="CreatedUtc">When it was created (ISO 8601, UTC).</param>
/// <param name="Fingerprint">Settings that must match to resume (<see cref="SearchExperiment.Fingerprint"/>).</param>
/// <param name="SettingsJson">What a worker needs to rebuild the search (for <c>mlcardiac search</c>: a <see cref="SearchManifest"/>).</param>
/// <param name="NextSeq">The next event number (proposals and results are numbered in the order they happened).</param>
public sealed record StoredSearch(string Id, string CreatedUtc, string Fingerprint, string SettingsJson, long NextSeq);

/// <summary>A trial a proposer wants added to the store.</summary>
/// <param name="Parameters">Configuration.</param>
/// <param name="Origin">"tuner" or "default".</param>
/// <param name="Epochs">Epoch budget.</param>
public sealed record NewTrial(ParameterAssignment Parameters, string Origin, int Epochs);
