using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MLCardiac.Search;

namespace MLCardiac.Experiments;

/// <summary>
/// A study as units of work in a trial store (<see cref="ITrialStore"/>: SQLite on one machine, PostgreSQL across many),
/// claimed by workers with the same semantics as a search's trials — an atomic claim, a heartbeat, a retry when the
/// heartbeat lapses (a killed worker's unit goes to the next worker, which resumes it from its checkpoint in the shared
/// folder). The units are <see cref="ExperimentRunner.Units"/> (arm × seed; each fold of it when the study has folds; the vendor classifier), proposed
/// in order, then one last unit, <see cref="ReportUnit"/>, proposed only once every other unit has completed: the single
/// worker that claims it assembles the report. Every worker runs its unit through <see cref="ExperimentRunner.RunUnit"/>,
/// writing to the artifact folders the store names (<see cref="StudySettings.ModelsRoot"/>, <see cref="StudySettings.ReportsRoot"/>:
/// a shared folder), and records with the unit's completion what it wrote (<see cref="UnitOutputs"/>: its result and the
/// SHA-256 of its files). The report is assembled from those records (<see cref="Results"/>), after every model file has
/// been checked against its checksum, so it is the one a single machine would write and can be rebuilt from the store alone.
/// </summary>
public sealed class DistributedStudy
{
    /// <summary>The unit that assembles the report once every other unit has completed.</summary>
    public const string ReportUnit = "report";
    /// <summary>The parameter that names a unit in the store.</summary>
    public const string UnitParameter = "unit";

    private readonly ITrialStore _store;

    /// <summary>The study <paramref name="experiment"/> in <paramref name="store"/> (not owned), under <see cref="StoreId"/>.</summary>
    public DistributedStudy(ITrialStore store, ExperimentDefinition experiment)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(experiment);
        _store = store;
        Experiment = experiment;
        Id = StoreId(experiment);
    }

    /// <summary>The study.</summary>
    public ExperimentDefinition Experiment { get; }
    /// <summary>Its id in the store.</summary>
    public string Id { get; }
    /// <summary>How long a running unit's heartbeat may be silent before another worker takes the unit over.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>How often a worker beats while it runs a unit.</summary>
    public TimeSpan HeartbeatEvery { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The study as <paramref name="settings"/> registered it: its stale timeout and heartbeat.</summary>
    public static DistributedStudy For(ITrialStore store, ExperimentDefinition experiment, StudySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new DistributedStudy(store, experiment) { StaleAfter = settings.StaleAfter(), HeartbeatEvery = settings.HeartbeatEvery() };
    }

    /// <summary>The store id of a study: <c>study/ID</c> (searches and studies share a store).</summary>
    public static string StoreId(ExperimentDefinition experiment) => "study/" + (experiment ?? throw new ArgumentNullException(nameof(experiment))).Id;

    /// <summary>
    /// Registers the study with what a worker needs to rebuild it (<paramref name="settings"/>), or checks that the stored one
    /// is the same study (fingerprint of the resolved experiment); returns true when it existed.
    /// </summary>
    /// <exception cref="MLCardiacException">The store holds this study id with another definition.</exception>
    public bool Register(StudySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string definition = JsonSerializer.Serialize(Experiment with { SourceFile = "" }, StudyResults.Json);
        string fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(definition)))[..16];
        return _store.EnsureSearch(Id, fingerprint, JsonSerializer.Serialize(settings, StudyResults.Json));
    }

    /// <summary>The settings a study was registered with, or null when the store has no such study.</summary>
    public static StudySettings? Settings(ITrialStore store, string studyId)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.LoadSearch(studyId) is not { } stored) return null;
        try
        {
            using (JsonDocument document = JsonDocument.Parse(stored.SettingsJson))
                if (!(document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("kind", out JsonElement kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() == StudySettings.StudyKind))
                    throw new MLCardiacException($"{store.Location}: \"{studyId}\" is a search, not a study; work on it with `mlcardiac worker --search {studyId}`.");
            return JsonSerializer.Deserialize<StudySettings>(stored.SettingsJson, StudyResults.Json) ?? throw new JsonException("null settings");
        }
        catch (JsonException e)
        {
            throw new MLCardiacException($"{store.Location}: the settings of \"{studyId}\" cannot be read ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Claims and runs units for <paramref name="worker"/> until none is left to claim, <paramref name="maxUnits"/> units ran,
    /// or the report unit was claimed (returned: the caller assembles the report, then calls <see cref="Complete"/>).
    /// A unit that throws is recorded as failed with its message, and the exception propagates.
    /// </summary>
    public TrialRecord? Work(ExperimentRunner runner, string worker, int? maxUnits = null, Action<string>? log = null,
        IProgress<StudyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        int ran = 0;
        while (maxUnits is null || ran < maxUnits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TrialRecord? claim = _store.Claim(Id, worker, StaleAfter, Propose);
            if (claim is null) return null;
            string unit = claim.Parameters.GetString(UnitParameter, "");
            if (unit == ReportUnit) return claim;
            log?.Invoke($"unit {unit} (claim {claim.Trial}, attempt {claim.Attempts})");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            int beating = 0;
            string outputs;
            using (new Timer(_ =>
            {
                if (Interlocked.Exchange(ref beating, 1) == 1) return;
                try { if (!_store.Heartbeat(Id, claim.Trial, worker)) lost.Cancel(); }
                catch (ObjectDisposedException) { }
                catch (Microsoft.Data.Sqlite.SqliteException) { }
                catch (MLCardiacException) { } // unreachable for now: the next beat tries again
                finally { Volatile.Write(ref beating, 0); }
            }, null, HeartbeatEvery, HeartbeatEvery))
            {
                try
                {
                    runner.RunUnit(Experiment, unit, progress, lost.Token);
                    outputs = UnitOutputs.Collect(runner, Experiment, unit).ToJson();
                }
                catch (OperationCanceledException)
                {
                    // Cancelled here: the unit goes back to the pool and resumes from its checkpoint on the next claim. Lost to
                    // another worker (heartbeat refused): nothing to give back.
                    if (!lost.IsCancellationRequested || cancellationToken.IsCancellationRequested) _store.Release(Id, claim.Trial, worker);
                    throw;
                }
                catch (Exception e) when (e is MLCardiacException or IOException)
                {
                    _store.Finish(Id, claim.Trial, worker, TrialStatus.Failed, null, null, clock.Elapsed.TotalSeconds, null, e.Message);
                    throw;
                }
            }
            _store.Finish(Id, claim.Trial, worker, TrialStatus.Completed, null, null, clock.Elapsed.TotalSeconds, null, null, outputs);
            ran++;
        }
        return null;
    }

    /// <summary>Marks the report unit <paramref name="claim"/> completed once the report is written.</summary>
    public void Complete(TrialRecord claim, string worker, double seconds)
    {
        ArgumentNullException.ThrowIfNull(claim);
        _store.Finish(Id, claim.Trial, worker, TrialStatus.Completed, null, null, seconds, null, null);
    }

    /// <summary>
    /// The study's results as its units recorded them in <paramref name="store"/> (<see cref="UnitOutputs"/>), once every unit
    /// has completed: the resolved experiment the units ran, each arm × seed's result in the study's order, the vendor
    /// classifier's; every unit's files are checked against their checksums first. <see cref="StudyResults.WallSeconds"/> is
    /// the sum of the units' last attempts (the study's work across all workers). What the report unit and
    /// <c>mlcardiac report --store</c> assemble the report from.
    /// </summary>
    /// <exception cref="MLCardiacException">No such study, a unit not completed, or a file missing or differing from its checksum (one line naming it).</exception>
    public static StudyResults Results(ITrialStore store, string studyId, out StudySettings settings)
    {
        ArgumentNullException.ThrowIfNull(store);
        settings = Settings(store, studyId)
            ?? throw new MLCardiacException($"{store.Location}: has no study \"{studyId}\" (it has: {string.Join(", ", store.ListSearches().DefaultIfEmpty("none"))}).");
        var trials = store.LoadTrials(studyId).Where(t => t.Parameters.GetString(UnitParameter, "") != ReportUnit).ToList();
        var outputs = new Dictionary<string, UnitOutputs>(StringComparer.Ordinal);
        foreach (TrialRecord t in trials)
        {
            string unit = t.Parameters.GetString(UnitParameter, "");
            if (t.Status != TrialStatus.Completed)
                throw new MLCardiacException($"{store.Location}: study \"{studyId}\" is not complete: unit \"{unit}\" is {t.Status.ToString().ToLowerInvariant()} (`mlcardiac runs progress --store {store.Location} --search {studyId}`).");
            UnitOutputs recorded = UnitOutputs.FromJson(t.Outputs, store.Location, studyId, unit);
            recorded.Verify(settings, store.Location);
            outputs[unit] = recorded;
        }
        if (outputs.Count == 0) throw new MLCardiacException($"{store.Location}: study \"{studyId}\" has no completed unit yet.");
        string experimentJson = outputs.Values.First().Experiment;
        if (outputs.Values.FirstOrDefault(o => o.Experiment != experimentJson) is { } other)
            throw new MLCardiacException($"{store.Location}: unit \"{other.Unit}\" of \"{studyId}\" ran another resolved experiment than unit \"{outputs.Values.First().Unit}\" (the data's plan changed between them); run the study again in a new store.");
        ExperimentDefinition experiment = Read<ExperimentDefinition>(experimentJson, store.Location, studyId, "experiment");
        IReadOnlyList<string> units = ExperimentRunner.Units(experiment);
        if (units.FirstOrDefault(u => !outputs.ContainsKey(u)) is { } missing)
            throw new MLCardiacException($"{store.Location}: study \"{studyId}\" is not complete: unit \"{missing}\" has not run yet.");
        return new StudyResults
        {
            Experiment = experiment,
            Arms = [.. units.Where(u => !ExperimentRunner.IsClassifierUnit(u) && !ExperimentRunner.IsFoldUnit(u)).Select(u => Read<ArmRunResult>(outputs[u].Result, store.Location, studyId, u))],
            VendorClassifier = outputs.TryGetValue(StudyResults.ClassifierFolder, out UnitOutputs? vc) ? Read<VendorClassifierResult>(vc.Result, store.Location, studyId, vc.Unit) : null,
            ClassifierComparisons = [.. StudyResults.ClassifierUnits(experiment.VendorClassifier).Skip(1).Select(u => Read<VendorClassifierResult>(outputs[u].Result, store.Location, studyId, u))],
            WallSeconds = trials.Sum(t => t.Seconds ?? 0),
        };
    }

    private static T Read<T>(string json, string location, string studyId, string unit)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, StudyResults.Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new MLCardiacException($"{location}: the recorded {typeof(T).Name} of unit \"{unit}\" of \"{studyId}\" cannot be read ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Marks the report unit <paramref name="claim"/> failed with <paramref name="error"/> (a file missing or differing from its
    /// checksum): it is not offered again; <c>mlcardiac report --store</c> assembles the report once the cause is mended.
    /// </summary>
    public void Fail(TrialRecord claim, string worker, double seconds, string error)
    {
        ArgumentNullException.ThrowIfNull(claim);
        _store.Finish(Id, claim.Trial, worker, TrialStatus.Failed, null, null, seconds, null, error);
    }

    /// <summary>Units completed and in all, report unit excluded.</summary>
    public (int Completed, int Total) Count()
    {
        var trials = _store.LoadTrials(Id).Where(t => t.Parameters.GetString(UnitParameter, "") != ReportUnit).ToList();
        return (trials.Count(t => t.Status == TrialStatus.Completed), ExperimentRunner.Units(Experiment).Count);
    }

    /// <summary>
    /// The next unit not proposed yet whose prerequisites (<see cref="ExperimentRunner.Prerequisites"/>: an arm × seed's fold
    /// units) have completed, in order; then the report unit once every unit has completed; else nothing (the worker that
    /// completes the last prerequisite proposes the unit waiting on it).
    /// </summary>
    private NewTrial? Propose(IReadOnlyList<TrialRecord> history)
    {
        var proposed = history.Select(t => t.Parameters.GetString(UnitParameter, "")).ToHashSet(StringComparer.Ordinal);
        var completed = history.Where(t => t.Status == TrialStatus.Completed).Select(t => t.Parameters.GetString(UnitParameter, "")).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<string> units = ExperimentRunner.Units(Experiment);
        if (units.FirstOrDefault(u => !proposed.Contains(u) && ExperimentRunner.Prerequisites(Experiment, u).All(completed.Contains)) is { } next) return Unit(next);
        return units.All(completed.Contains) && !proposed.Contains(ReportUnit) ? Unit(ReportUnit) : null;
    }

    private static NewTrial Unit(string unit) => new(new ParameterAssignment([new(UnitParameter, unit)]), "study", 0);
}

/// <summary>What a worker needs to rebuild a registered study (stored with it): the pipeline file, profile and folders, as the registering machine saw them (a shared folder).</summary>
public sealed record StudySettings
{
    /// <summary>The <see cref="Kind"/> of a study (searches store other settings).</summary>
    public const string StudyKind = "study";
    /// <summary>"study".</summary>
    public string Kind { get; init; } = StudyKind;
    /// <summary>The pipeline file (absolute).</summary>
    public required string PipelineFile { get; init; }
    /// <summary>The profile applied, or null.</summary>
    public string? Profile { get; init; }
    /// <summary>The <c>--data</c> folder, or null.</summary>
    public string? Data { get; init; }
    /// <summary>Root of the model folders (absolute): an artifact root every worker writes its units' model files under.</summary>
    public required string ModelsRoot { get; init; }
    /// <summary>Root of the report folders (absolute): the other artifact root (units' results, the report).</summary>
    public required string ReportsRoot { get; init; }
    /// <summary>
    /// How long a running unit's heartbeat may be silent before another worker takes it over, s (every worker of the study
    /// uses this one value; default 120). Workers beat every sixth of it.
    /// </summary>
    public double StaleAfterSeconds { get; init; } = 120;

    /// <summary>The stale timeout as a span.</summary>
    public TimeSpan StaleAfter() => TimeSpan.FromSeconds(StaleAfterSeconds);

    /// <summary>How often a worker beats: a sixth of the stale timeout, so five beats may be lost before a unit goes stale.</summary>
    public TimeSpan HeartbeatEvery() => TimeSpan.FromSeconds(StaleAfterSeconds / 6);
}
