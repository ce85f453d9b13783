using System.Diagnostics;
using System.Text.Json;

namespace MLCardiac.Search;

/// <summary>
/// A search over pipeline configurations, in the spirit of ML.NET AutoML's <c>AutoMLExperiment</c>:
/// <code>
/// var result = await new SearchExperiment(objective)
///     .SetSearchSpace(space)
///     .SetTuner(TunerKind.CfoAsha, seed: 1)
///     .SetBudget(new SearchBudget(MaxTrials: 30, WallTime: TimeSpan.FromMinutes(20)))
///     .SetStore(TrialStores.Open("reports/mlcardiac.db"), "s1")
///     .RunAsync(progress, onTrialFinished, cancellationToken);
/// </code>
/// Workers (<see cref="SetConcurrency"/> threads; several processes on one store file; or processes on many machines
/// sharing a PostgreSQL store) loop: claim a trial in the store (a pending one, a dead worker's one, or a new proposal),
/// run it, store its result. <see cref="RunAsync"/> registers the search, works on it and then refits the best
/// configuration; <see cref="Enqueue"/> only registers it, and <see cref="WorkAsync"/> only works on a registered search
/// (<c>mlcardiac worker</c>) — the same loop and the same trial code in every case. Proposals come
/// from a tuner rebuilt for every claim by replaying the stored history in event order, so every process sees
/// the same tuner state and a killed search resumes with the proposals an uninterrupted one would have made
/// (checked: a replayed proposal that differs from the stored one is an error).
/// </summary>
public sealed class SearchExperiment
{
    private readonly ITrialObjective _objective;
    private SearchSpace? _space;
    private TunerKind _tuner = TunerKind.CfoAsha;
    private int _seed = 1;
    private SearchBudget _budget = new(MaxTrials: 20);
    private ITrialStore? _store;
    private string? _settingsJson;
    private string _searchId = "search";
    private int _concurrency = 1;
    private int _threadsPerTrial;
    private int _defaultEpochs = 10;
    private int _ashaMinEpochs = AshaScheduler.DefaultMinEpochs;
    private double _ashaReduction = AshaScheduler.DefaultReductionFactor;
    private bool _includeDefault = true;
    private TimeSpan _heartbeat = TimeSpan.FromSeconds(5);
    private TimeSpan _staleAfter = TimeSpan.FromSeconds(30);
    private string? _refitDirectory;
    private bool _refitDefault;

    /// <summary>Name of the parameter that sets a trial's epoch budget when the space has it.</summary>
    public const string EpochsParameter = "epochs";

    /// <summary>Creates an experiment that evaluates trials with <paramref name="objective"/>.</summary>
    public SearchExperiment(ITrialObjective objective)
    {
        ArgumentNullException.ThrowIfNull(objective);
        _objective = objective;
    }

    /// <summary>The space to search.</summary>
    public SearchExperiment SetSearchSpace(SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (space.Dimensions == 0) throw new MLCardiacException("The search space has no parameter.");
        _space = space;
        return this;
    }

    /// <summary>How configurations are proposed and stopped; <paramref name="seed"/> seeds the tuner.</summary>
    public SearchExperiment SetTuner(TunerKind tuner, int seed = 1)
    {
        (_tuner, _seed) = (tuner, seed);
        return this;
    }

    /// <summary>When to stop proposing trials.</summary>
    public SearchExperiment SetBudget(SearchBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        budget.Validate();
        _budget = budget;
        return this;
    }

    /// <summary>Where trials are stored, and the id of this search in the store.</summary>
    public SearchExperiment SetStore(ITrialStore store, string searchId)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(searchId);
        (_store, _searchId) = (store, searchId);
        return this;
    }

    /// <summary>
    /// What a worker on another machine needs to rebuild this search, stored with it when the search is created (for
    /// <c>mlcardiac search</c>: a <see cref="SearchManifest"/>). Default: the <see cref="Fingerprint"/>.
    /// </summary>
    public SearchExperiment SetSettings(string settingsJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(settingsJson);
        _settingsJson = settingsJson;
        return this;
    }

    /// <summary>
    /// Trials run at once in this process (threads); each trial gets <paramref name="threadsPerTrial"/> compute
    /// threads (0: cores / <paramref name="concurrency"/>, at least 1), so concurrent trials share the cores.
    /// </summary>
    public SearchExperiment SetConcurrency(int concurrency, int threadsPerTrial = 0)
    {
        if (concurrency < 1) throw new MLCardiacException($"Concurrency must be ≥ 1 (was {concurrency}).");
        if (threadsPerTrial < 0) throw new MLCardiacException($"Threads per trial must be ≥ 0 (was {threadsPerTrial}).");
        (_concurrency, _threadsPerTrial) = (concurrency, threadsPerTrial);
        return this;
    }

    /// <summary>
    /// Epoch budget of a trial when the space has no <c>epochs</c> parameter, and ASHA's first rung and η.
    /// </summary>
    public SearchExperiment SetEpochs(int epochs, int ashaMinEpochs = AshaScheduler.DefaultMinEpochs, double ashaReductionFactor = AshaScheduler.DefaultReductionFactor)
    {
        if (epochs < 1) throw new MLCardiacException($"Epochs must be ≥ 1 (was {epochs}).");
        _ = new AshaScheduler(ashaMinEpochs, ashaReductionFactor, epochs);
        (_defaultEpochs, _ashaMinEpochs, _ashaReduction) = (epochs, ashaMinEpochs, ashaReductionFactor);
        return this;
    }

    /// <summary>Whether trial 0 evaluates the default configuration (the baseline the search must beat). Default: true.</summary>
    public SearchExperiment SetIncludeDefault(bool includeDefault)
    {
        _includeDefault = includeDefault;
        return this;
    }

    /// <summary>How often a running trial refreshes its heartbeat, and after how long without one its worker counts as dead.</summary>
    public SearchExperiment SetHeartbeat(TimeSpan interval, TimeSpan staleAfter)
    {
        if (interval <= TimeSpan.Zero || staleAfter <= interval) throw new MLCardiacException("The heartbeat interval must be positive and shorter than the stale timeout.");
        (_heartbeat, _staleAfter) = (interval, staleAfter);
        return this;
    }

    /// <summary>
    /// After the search, refit the best configuration on all training data and save it under
    /// <paramref name="directory"/>/best (the objective must be an <see cref="IRefittableObjective"/>); with
    /// <paramref name="alsoDefault"/> the default configuration too, under <paramref name="directory"/>/default.
    /// </summary>
    public SearchExperiment SetRefit(string directory, bool alsoDefault = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (_objective is not IRefittableObjective) throw new MLCardiacException("This objective cannot refit a model.");
        (_refitDirectory, _refitDefault) = (directory, alsoDefault);
        return this;
    }

    /// <summary>The search space in use.</summary>
    public SearchSpace Space => _space ?? throw new MLCardiacException("Call SetSearchSpace before running the search.");

    /// <summary>ASHA scheduler of this experiment, or null when the tuner does not stop trials.</summary>
    public AshaScheduler? Scheduler => _tuner.UsesAsha() ? new AshaScheduler(_ashaMinEpochs, _ashaReduction, MaxEpochs) : null;

    private int MaxEpochs => Space.Find(EpochsParameter) is { } p ? (int)p.Max : _defaultEpochs;

    private int EpochsOf(ParameterAssignment parameters) => parameters.GetInt(EpochsParameter, _defaultEpochs);

    /// <summary>A fingerprint of everything that must match for a stored search to be resumed.</summary>
    public string Fingerprint() => JsonSerializer.Serialize(new
    {
        space = Space.Parameters,
        tuner = _tuner.ToName(),
        seed = _seed,
        epochs = _defaultEpochs,
        asha = new { minEpochs = _ashaMinEpochs, reductionFactor = _ashaReduction },
        includeDefault = _includeDefault,
        metric = _objective.MetricName,
        maximize = _objective.Maximize,
    });

    /// <summary>
    /// Registers the search in the store without running a trial (<c>mlcardiac search --enqueue-only</c>): workers
    /// (<see cref="WorkAsync"/>, <c>mlcardiac worker</c>) then claim its trials; proposals are made by whoever claims, from
    /// the stored history, so nothing is proposed ahead of the results it should learn from.
    /// </summary>
    /// <returns>True when the store already held this search.</returns>
    /// <exception cref="MLCardiacException">The store holds this search id with other settings.</exception>
    public bool Enqueue()
    {
        ITrialStore store = _store ?? throw new MLCardiacException("Call SetStore before registering the search.");
        return store.EnsureSearch(_searchId, Fingerprint(), _settingsJson ?? Fingerprint());
    }

    /// <summary>
    /// Runs the search until the budget is spent or <paramref name="cancellationToken"/> fires (then running trials are
    /// released as pending and <see cref="OperationCanceledException"/> is thrown; run again to resume), then refits the
    /// best configuration when <see cref="SetRefit"/> asked for it.
    /// </summary>
    /// <param name="progress">Receives every trial event.</param>
    /// <param name="onTrialFinished">Called with each trial this run finishes (the monitor of ML.NET AutoML).</param>
    /// <param name="cancellationToken">Stops the search.</param>
    public Task<SearchResult> RunAsync(IProgress<SearchEvent>? progress = null, Action<TrialRecord>? onTrialFinished = null, CancellationToken cancellationToken = default)
    {
        _ = Space;
        bool resumed = Enqueue();
        return Work(maxUnits: null, refit: true, resumed, progress, onTrialFinished, cancellationToken);
    }

    /// <summary>
    /// Works on a search someone registered (<see cref="Enqueue"/> or <see cref="RunAsync"/>, on this or another machine):
    /// claims and runs its trials until the budget is spent, nothing is left to claim, <paramref name="maxUnits"/> trials
    /// were finished here, or <paramref name="cancellationToken"/> fires. Never refits: that is the registering command's
    /// last step.
    /// </summary>
    /// <param name="maxUnits">Trials this call finishes at most; null: no limit.</param>
    /// <param name="progress">Receives every trial event.</param>
    /// <param name="onTrialFinished">Called with each trial this call finishes.</param>
    /// <param name="cancellationToken">Stops the work (running trials are released as pending).</param>
    /// <exception cref="MLCardiacException">The store has no such search, or has it with other settings.</exception>
    public Task<SearchResult> WorkAsync(int? maxUnits = null, IProgress<SearchEvent>? progress = null, Action<TrialRecord>? onTrialFinished = null, CancellationToken cancellationToken = default)
    {
        if (maxUnits is < 1) throw new MLCardiacException($"The unit limit must be ≥ 1 (was {maxUnits}).");
        _ = Space;
        ITrialStore store = _store ?? throw new MLCardiacException("Call SetStore before working on the search.");
        StoredSearch stored = store.LoadSearch(_searchId)
            ?? throw new MLCardiacException($"{store.Location}: has no search \"{_searchId}\" (it has: {string.Join(", ", store.ListSearches().DefaultIfEmpty("none"))}); start it with `mlcardiac search PIPELINE --enqueue-only --store …`.");
        if (stored.Fingerprint != Fingerprint()) throw new MLCardiacException(TrialStoreSchema.OtherSettings(store.Location, _searchId));
        return Work(maxUnits, refit: false, resumed: true, progress, onTrialFinished, cancellationToken);
    }

    /// <summary>The one worker loop of <see cref="RunAsync"/> and <see cref="WorkAsync"/>.</summary>
    private Task<SearchResult> Work(int? maxUnits, bool refit, bool resumed, IProgress<SearchEvent>? progress, Action<TrialRecord>? onTrialFinished, CancellationToken cancellationToken)
    {
        SearchSpace space = Space;
        ITrialStore store = _store!;
        var clock = Stopwatch.StartNew();
        var deadline = _budget.WallTime is { } w ? new CancellationTokenSource(w) : new CancellationTokenSource();
        AshaScheduler? asha = Scheduler;
        int threads = _threadsPerTrial > 0 ? _threadsPerTrial : Math.Max(1, Environment.ProcessorCount / _concurrency);
        string process = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        int trialsRun = 0;
        int unitsTaken = 0; // trials finished here plus trials being run here: what maxUnits limits
        var gate = new object();

        NewTrial? Propose(IReadOnlyList<TrialRecord> trials)
        {
            if (deadline.IsCancellationRequested || cancellationToken.IsCancellationRequested) return null;
            if (_budget.MaxTrials is int max && trials.Count >= max) return null;
            if (_includeDefault && trials.Count == 0)
            {
                var d = space.Default();
                return new NewTrial(d, "default", EpochsOf(d));
            }
            ITuner tuner = Replay(space, trials);
            int next = trials.Count == 0 ? 0 : trials.Max(t => t.Trial) + 1;
            var p = ProposeNew(tuner, next, trials.Where(t => t.IsFinished).ToList());
            return new NewTrial(p, "tuner", EpochsOf(p));
        }

        void Worker(int index)
        {
            string worker = $"{process}-w{index}";
            while (!cancellationToken.IsCancellationRequested && !deadline.IsCancellationRequested)
            {
                if (Interlocked.Increment(ref unitsTaken) > (maxUnits ?? int.MaxValue))
                {
                    Interlocked.Decrement(ref unitsTaken);
                    return;
                }
                TrialRecord? claim = store.Claim(_searchId, worker, _staleAfter, Propose, space);
                if (claim is null)
                {
                    Interlocked.Decrement(ref unitsTaken);
                    // Nothing to claim. Trials still running in other processes may finish, or their workers may turn
                    // out dead (stale heartbeat) and leave them to us: wait for them before calling the search done.
                    bool othersRunning = store.LoadTrials(_searchId, space).Any(t => t.Status == TrialStatus.Running && t.Worker?.StartsWith(process, StringComparison.Ordinal) != true);
                    if (!othersRunning) return;
                    WaitHandle.WaitAny([cancellationToken.WaitHandle, deadline.Token.WaitHandle], _heartbeat);
                    continue;
                }
                TrialRecord? finished = RunTrial(store, claim, worker, asha, threads, clock, progress, deadline.Token, cancellationToken);
                if (finished is null)
                {
                    Interlocked.Decrement(ref unitsTaken);
                    continue;
                }
                lock (gate) trialsRun++;
                onTrialFinished?.Invoke(finished);
            }
        }

        return Task.Run(() =>
        {
            using var deadlineOwner = deadline;
            var workers = Enumerable.Range(0, _concurrency)
                .Select(i => Task.Factory.StartNew(() => Worker(i), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToArray();
            try
            {
                Task.WaitAll(workers);
            }
            catch (AggregateException e)
            {
                // A worker's own exception (e.g. an MLCardiacException from the store), not the aggregate wrapper.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            }
            cancellationToken.ThrowIfCancellationRequested();
            var trials = store.LoadTrials(_searchId, space);
            var best = Best(trials);
            RefitResult? bestRefit = null, defaultRefit = null;
            if (refit && _refitDirectory is not null && _objective is IRefittableObjective refittable && best is not null)
            {
                // Refit notes go to the objective's own log (null: the objective's default).
                bestRefit = refittable.Refit(best.Parameters, Path.Combine(_refitDirectory, "best"), null, cancellationToken);
                if (_refitDefault)
                    defaultRefit = refittable.Refit(space.Default(), Path.Combine(_refitDirectory, "default"), null, cancellationToken);
            }
            return new SearchResult
            {
                SearchId = _searchId,
                MetricName = _objective.MetricName,
                Maximize = _objective.Maximize,
                Tuner = _tuner,
                Trials = trials,
                Best = best,
                Default = trials.FirstOrDefault(t => t.Origin == "default"),
                WallTime = clock.Elapsed,
                Resumed = resumed,
                TrialsRun = trialsRun,
                BestRefit = bestRefit,
                DefaultRefit = defaultRefit,
            };
        }, CancellationToken.None);
    }

    /// <summary>
    /// A fresh tuner brought to the state after <paramref name="trials"/>' history: proposals and results are
    /// replayed in the order they happened; a replayed proposal must equal the stored one.
    /// </summary>
    /// <exception cref="MLCardiacException">The history was not produced by this tuner, seed and space.</exception>
    public ITuner Replay(SearchSpace space, IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(trials);
        ITuner tuner = _tuner.CreateTuner(space, _seed);
        var events = trials.Select(t => (Seq: t.ProposedSeq, Finish: false, Trial: t))
            .Concat(trials.Where(t => t.IsFinished && t.FinishedSeq is not null).Select(t => (Seq: t.FinishedSeq!.Value, Finish: true, Trial: t)))
            .OrderBy(e => e.Seq);
        foreach (var (_, finish, t) in events)
        {
            if (!finish)
            {
                if (t.Origin != "tuner") continue;
                var again = ProposeNew(tuner, t.Trial, trials.Where(o => o.IsFinished && o.FinishedSeq < t.ProposedSeq).ToList());
                if (!again.Equals(t.Parameters))
                    throw new MLCardiacException($"Search \"{_searchId}\": replaying the stored history gives trial {t.Trial} = {{{again}}}, but the store has {{{t.Parameters}}}; the store was written by another tuner, seed or search space.");
            }
            else
            {
                tuner.Report(new TrialReport(t.Trial, t.Parameters, Score(t), t.Cost ?? t.Seconds ?? 0, t.Status == TrialStatus.Stopped));
            }
        }
        return tuner;
    }

    /// <summary>
    /// The tuner's proposal for trial <paramref name="trial"/>, skipping configurations already evaluated in
    /// <paramref name="finished"/>: their known result is fed back and the tuner asked again (at most 20 times).
    /// </summary>
    private ParameterAssignment ProposeNew(ITuner tuner, int trial, IReadOnlyList<TrialRecord> finished)
    {
        var known = new Dictionary<string, TrialRecord>(StringComparer.Ordinal);
        foreach (var t in finished) known.TryAdd(Key(t.Parameters), t);
        for (int attempt = 0; ; attempt++)
        {
            var p = tuner.Propose(trial);
            if (attempt >= 20 || !known.TryGetValue(Key(p), out TrialRecord? same)) return p;
            tuner.Report(new TrialReport(trial, p, Score(same), 0, same.Status == TrialStatus.Stopped));
        }
    }

    /// <summary>Identity of a configuration for duplicate detection: numbers to 10 significant digits (unit-cube round trips differ in the last bits).</summary>
    private static string Key(ParameterAssignment p) => string.Join(";", p.Select(kv => kv.Key + "=" + (kv.Value is double d
        ? d.ToString("G10", System.Globalization.CultureInfo.InvariantCulture) : SearchParameter.Format(kv.Value))));

    private double Score(TrialRecord t) =>
        t.Status == TrialStatus.Failed || t.Metric is not double m ? double.NaN : _objective.Maximize ? m : -m;

    private TrialRecord? Best(IReadOnlyList<TrialRecord> trials)
    {
        var done = trials.Where(t => t.Status == TrialStatus.Completed && t.Metric is not null).ToList();
        if (done.Count == 0) done = trials.Where(t => t.Status == TrialStatus.Stopped && t.Metric is not null).ToList();
        return done.Count == 0 ? null : done.OrderByDescending(Score).ThenBy(t => t.Trial).First();
    }

    private TrialRecord? RunTrial(ITrialStore store, TrialRecord claim, string worker, AshaScheduler? asha, int threads, Stopwatch clock,
        IProgress<SearchEvent>? progress, CancellationToken deadline, CancellationToken cancellationToken)
    {
        progress?.Report(new SearchEvent(SearchEventKind.Started, claim.Trial, claim.Parameters, null, claim.Epochs, null, TrialStatus.Running, clock.Elapsed));
        using var trialCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline);
        int beating = 0;
        using var heartbeat = new Timer(_ =>
        {
            // One beat at a time: a beat that waits on an unreachable store must not pile up others behind it.
            if (Interlocked.Exchange(ref beating, 1) == 1) return;
            try
            {
                if (!store.Heartbeat(_searchId, claim.Trial, worker)) trialCts.Cancel();
            }
            catch (ObjectDisposedException) { }
            catch (Microsoft.Data.Sqlite.SqliteException) { }
            catch (MLCardiacException) { } // store unreachable for now: the next beat tries again; a lapse only risks a retry of the trial
            finally { Volatile.Write(ref beating, 0); }
        }, null, _heartbeat, _heartbeat);
        var sw = Stopwatch.StartNew();
        var context = new TrialContext(claim.Trial, claim.Parameters, claim.Epochs, _seed, threads, (epoch, value) =>
        {
            double score = _objective.Maximize ? value : -value;
            Func<IReadOnlyList<double>, bool>? decide = asha is not null && asha.IsRung(epoch) && epoch < claim.Epochs
                ? recorded => asha.ShouldContinue(score, recorded.Select(v => _objective.Maximize ? v : -v).ToList())
                : null;
            bool go = store.RecordIntermediate(_searchId, claim.Trial, worker, epoch, value, decide);
            progress?.Report(new SearchEvent(SearchEventKind.Epoch, claim.Trial, claim.Parameters, epoch, claim.Epochs, value,
                go ? TrialStatus.Running : TrialStatus.Stopped, clock.Elapsed));
            return go;
        });
        TrialStatus status;
        double? metric;
        double? cost = null;
        IReadOnlyDictionary<string, double>? details = null;
        string? error = null;
        try
        {
            TrialEvaluation e = _objective.Evaluate(context, trialCts.Token);
            status = context.StopRequested ? TrialStatus.Stopped : TrialStatus.Completed;
            metric = e.Metric;
            cost = e.Cost;
            details = e.Details;
        }
        catch (OperationCanceledException) when (context.StopRequested && !trialCts.IsCancellationRequested)
        {
            status = TrialStatus.Stopped;
            metric = context.Last?.Metric;
        }
        catch (OperationCanceledException) when (trialCts.IsCancellationRequested)
        {
            store.Release(_searchId, claim.Trial, worker);
            progress?.Report(new SearchEvent(SearchEventKind.Released, claim.Trial, claim.Parameters, null, claim.Epochs, null, TrialStatus.Pending, clock.Elapsed));
            return null;
        }
#pragma warning disable CA1031 // A failing trial is a result of the search (stored with its message), not a crash of it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            status = TrialStatus.Failed;
            metric = null;
            error = ex.Message;
        }
        heartbeat.Change(Timeout.Infinite, Timeout.Infinite);
        double seconds = sw.Elapsed.TotalSeconds;
        if (!store.Finish(_searchId, claim.Trial, worker, status, metric, cost ?? seconds, seconds, details, error)) return null;
        var record = store.LoadTrial(_searchId, claim.Trial, Space);
        progress?.Report(new SearchEvent(SearchEventKind.Finished, claim.Trial, claim.Parameters, record.Intermediate.Keys.DefaultIfEmpty().Max(), claim.Epochs,
            record.Metric, record.Status, clock.Elapsed));
        return record;
    }
}
