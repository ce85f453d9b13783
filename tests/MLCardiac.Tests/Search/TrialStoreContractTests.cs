using System.Diagnostics;
using MLCardiac.Search;
using MLCardiac.StoreWorker;
using MLCardiac.Tests.Cli;
using MLCardiac.Tests.Support;

namespace MLCardiac.Tests.Search;

/// <summary>
/// The one suite both trial stores must pass (<see cref="SqliteTrialStoreContractTests"/>, <see cref="PostgresTrialStoreContractTests"/>):
/// concurrent claimers — threads with their own store objects, and worker processes — run every unit exactly once; a worker
/// killed with SIGKILL mid-unit loses its unit to another after the heartbeat lapses, and nothing is lost or run twice to the
/// end; a copy of a search reads back equal and resumes where its source stopped. The objective only sleeps
/// (<see cref="CheapSearch"/>), so these tests take seconds.
/// </summary>
public abstract class TrialStoreContractTests
{
    private readonly List<ITrialStore> _opened = [];
    private string? _dir;

    /// <summary>The location of a new, empty store.</summary>
    protected abstract string NewStore();

    /// <summary>Writes <paramref name="version"/> into the store's schema table, as a newer build would.</summary>
    protected abstract void SetSchemaVersion(string location, int version);

    /// <summary>Runs <paramref name="sql"/> on the store, as an older build's tables would have it.</summary>
    protected abstract void ExecuteSql(string location, string sql);

    /// <summary>A folder of this test, deleted after it.</summary>
    protected string TestDirectory => _dir ??= Directory.CreateTempSubdirectory("mlcardiac-contract-").FullName;

    /// <summary>Opens <paramref name="location"/>; closed after the test.</summary>
    protected ITrialStore Open(string location)
    {
        ITrialStore store = TrialStores.Open(location);
        lock (_opened) _opened.Add(store);
        return store;
    }

    [TestCleanup]
    public void CloseStores()
    {
        foreach (ITrialStore s in _opened) TrialStores.Close(s);
        if (_dir is not null && Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static readonly TimeSpan Beat = TimeSpan.FromMilliseconds(200), Stale = TimeSpan.FromMilliseconds(1500);

    [TestMethod]
    public void WorkAsync_FourClaimersWithTheirOwnStoreObjects_FortyUnitsEachRunExactlyOnce()
    {
        string location = NewStore();
        new CheapSearch().Experiment(Open(location), "s", 40, Beat, Stale).Enqueue();
        var objectives = Enumerable.Range(0, 4).Select(_ => new CheapSearch { UnitMilliseconds = 20 }).ToArray();
        var runs = objectives.Select(o => o.Experiment(Open(location), "s", 40, Beat, Stale).WorkAsync()).ToArray();
        Task.WaitAll(runs, TimeSpan.FromMinutes(2));

        var trials = Open(location).LoadTrials("s", CheapSearch.Space);
        Assert.HasCount(40, trials);
        Assert.IsTrue(trials.All(t => t.Status == TrialStatus.Completed && t.Attempts == 1), string.Join("; ", trials.Select(t => $"{t.Trial}:{t.Status}/{t.Attempts}")));
        var calls = objectives.SelectMany(o => o.CallsPerTrial).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 40).ToArray(), calls.Keys.ToArray());
        Assert.IsTrue(calls.Values.All(n => n == 1), "a unit ran twice");
        Assert.AreEqual(40, runs.Sum(r => r.Result.TrialsRun));
        Assert.IsGreaterThanOrEqualTo(2, objectives.Count(o => !o.CallsPerTrial.IsEmpty), "the units were not spread over the claimers");
        Assert.HasCount(80, trials.Select(t => t.ProposedSeq).Concat(trials.Select(t => t.FinishedSeq!.Value)).Distinct().ToList(), "event numbers repeat");
    }

    [TestMethod]
    public void Worker_FourProcesses_FortyUnitsEachRunExactlyOnce()
    {
        string location = NewStore(), log = Path.Combine(TestDirectory, "units.log");
        new CheapSearch().Experiment(Open(location), "s", 40, Beat, Stale).Enqueue();
        var workers = Enumerable.Range(0, 4).Select(_ => StoreWorkerProcess.Start(location, "s", 40, unitMs: 100, log)).ToList();
        foreach (var w in workers) w.WaitForSuccess(TimeSpan.FromMinutes(2));

        var trials = Open(location).LoadTrials("s", CheapSearch.Space);
        Assert.HasCount(40, trials);
        Assert.IsTrue(trials.All(t => t.Status == TrialStatus.Completed && t.Attempts == 1));
        var ends = StoreWorkerProcess.Lines(log, "end");
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 40).ToArray(), ends.Select(e => e.Trial).ToArray(), "each unit must run to its end exactly once");
        Assert.IsGreaterThanOrEqualTo(2, ends.Select(e => e.Pid).Distinct().Count(), "the units were not spread over the processes");
        Assert.AreEqual(40, workers.Sum(w => w.Ran));
    }

    [TestMethod]
    public void Worker_KilledMidUnit_UnitRetriedAfterItsHeartbeatLapses_NothingLostOrDuplicated()
    {
        string location = NewStore(), log = Path.Combine(TestDirectory, "units.log");
        new CheapSearch().Experiment(Open(location), "s", 10, Beat, Stale).Enqueue();
        using var doomed = StoreWorkerProcess.Start(location, "s", 10, unitMs: 600_000, log);
        var started = StoreWorkerProcess.WaitForLine(log, "start", doomed.Id, TimeSpan.FromMinutes(1));
        doomed.KillHard();
        Assert.AreEqual(TrialStatus.Running, Open(location).LoadTrial("s", started.Trial).Status, "the killed worker's unit is still marked running");

        using var survivor = StoreWorkerProcess.Start(location, "s", 10, unitMs: 30, log);
        survivor.WaitForSuccess(TimeSpan.FromMinutes(2));

        var trials = Open(location).LoadTrials("s", CheapSearch.Space);
        Assert.HasCount(10, trials);
        Assert.IsTrue(trials.All(t => t.Status == TrialStatus.Completed), "a unit was lost");
        Assert.AreEqual(2, trials[started.Trial].Attempts, "the killed worker's unit is retried once");
        Assert.IsTrue(trials.Where(t => t.Trial != started.Trial).All(t => t.Attempts == 1));
        var ends = StoreWorkerProcess.Lines(log, "end");
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).ToArray(), ends.Select(e => e.Trial).ToArray(), "each unit must finish exactly once");
        Assert.IsTrue(ends.All(e => e.Pid == survivor.Id));
        Assert.HasCount(2, StoreWorkerProcess.Lines(log, "start").Where(s => s.Trial == started.Trial).ToList());
    }

    [TestMethod]
    public void Claim_AnsweredAgainForAWorkerThatHoldsATrial_ReturnsThatTrialNotASecondOne()
    {
        ITrialStore store = Open(NewStore());
        var experiment = new CheapSearch().Experiment(store, "s", 5, Beat, Stale);
        experiment.Enqueue();
        NewTrial? Propose(IReadOnlyList<TrialRecord> h) => h.Count >= 5 ? null : new NewTrial(experiment.Replay(CheapSearch.Space, h).Propose(h.Count), "tuner", 3);
        TrialRecord first = store.Claim("s", "w", Stale, Propose, CheapSearch.Space)!;
        TrialRecord again = store.Claim("s", "w", Stale, Propose, CheapSearch.Space)!;
        Assert.AreEqual(first.Trial, again.Trial);
        Assert.AreEqual(1, again.Attempts);
        Assert.HasCount(1, store.LoadTrials("s"));
        Assert.AreEqual(first.Trial + 1, store.Claim("s", "other", Stale, Propose, CheapSearch.Space)!.Trial);
    }

    [TestMethod]
    public void Finish_ByAWorkerWhoseTrialWentStaleAndWasTakenOver_WritesNothing()
    {
        ITrialStore store = Open(NewStore());
        var experiment = new CheapSearch().Experiment(store, "s", 5, Beat, Stale);
        experiment.Enqueue();
        NewTrial? Propose(IReadOnlyList<TrialRecord> h) => new NewTrial(experiment.Replay(CheapSearch.Space, h).Propose(h.Count), "tuner", 3);
        TrialRecord slow = store.Claim("s", "slow", Stale, Propose, CheapSearch.Space)!;
        Thread.Sleep(50);
        TrialRecord taken = store.Claim("s", "fast", TimeSpan.FromMilliseconds(10), Propose, CheapSearch.Space)!;
        Assert.AreEqual(slow.Trial, taken.Trial, "a stale running trial is taken over before a new one is proposed");
        Assert.AreEqual(2, taken.Attempts);
        Assert.IsFalse(store.Heartbeat("s", slow.Trial, "slow"));
        Assert.IsFalse(store.RecordIntermediate("s", slow.Trial, "slow", 1, 0.5, null));
        Assert.IsFalse(store.Finish("s", slow.Trial, "slow", TrialStatus.Completed, 0.9, null, 1, null, null));
        Assert.IsTrue(store.Finish("s", taken.Trial, "fast", TrialStatus.Completed, 0.7, null, 1, null, null));
        TrialRecord stored = store.LoadTrial("s", slow.Trial);
        Assert.AreEqual(0.7, stored.Metric);
        Assert.AreEqual("fast", stored.Worker);
    }

    [TestMethod]
    public void WorkAsync_MaxUnits_FinishesThatManyAndLeavesTheRest()
    {
        string location = NewStore();
        new CheapSearch().Experiment(Open(location), "s", 10, Beat, Stale).Enqueue();
        var objective = new CheapSearch { UnitMilliseconds = 5 };
        SearchResult result = objective.Experiment(Open(location), "s", 10, Beat, Stale, concurrency: 2).WorkAsync(maxUnits: 3).GetAwaiter().GetResult();
        Assert.AreEqual(3, result.TrialsRun);
        Assert.HasCount(3, Open(location).LoadTrials("s").Where(t => t.IsFinished).ToList());
        Assert.IsTrue(Open(location).LoadTrials("s").All(t => t.Status != TrialStatus.Running));
    }

    [TestMethod]
    public void WorkAsync_SearchNotInTheStore_ErrorNamesTheStoreAndTheSearch()
    {
        ITrialStore store = Open(NewStore());
        var e = Assert.ThrowsExactly<MLCardiacException>(() => new CheapSearch().Experiment(store, "nope", 3, Beat, Stale).WorkAsync());
        StringAssert.Contains(e.Message, store.Location);
        StringAssert.Contains(e.Message, "\"nope\"");
        Assert.DoesNotContain("\n", e.Message);
    }

    [TestMethod]
    public void Open_StoreWrittenByANewerSchema_RefusedNamingTheVersions()
    {
        string location = NewStore();
        Open(location);
        SetSchemaVersion(location, TrialStoreSchema.Version + 1);
        var e = Assert.ThrowsExactly<MLCardiacException>(() => Open(location));
        StringAssert.Contains(e.Message, $"version {TrialStoreSchema.Version + 1}");
        StringAssert.Contains(e.Message, "newer");
    }

    [TestMethod]
    public void Open_VersionOneStore_MigratedKeepingItsTrials_ThenOutputsAreStored()
    {
        string location = NewStore();
        ITrialStore old = Open(location);
        old.EnsureSearch("s", "f", "{}");
        NewTrial? Propose(IReadOnlyList<TrialRecord> h) => h.Count >= 2 ? null : new NewTrial(new ParameterAssignment([new("unit", $"u{h.Count}")]), "study", 0);
        TrialRecord first = old.Claim("s", "w", Stale, Propose)!;
        Assert.IsTrue(old.Finish("s", first.Trial, "w", TrialStatus.Completed, 0.5, null, 1, null, null));
        ExecuteSql(location, "ALTER TABLE trial DROP COLUMN outputs_json"); // the version-1 tables
        SetSchemaVersion(location, 1);

        ITrialStore store = Open(location);
        TrialRecord kept = store.LoadTrial("s", first.Trial);
        Assert.AreEqual(TrialStatus.Completed, kept.Status);
        Assert.AreEqual(0.5, kept.Metric);
        Assert.IsNull(kept.Outputs);
        TrialRecord second = store.Claim("s", "w", Stale, Propose)!;
        Assert.IsTrue(store.Finish("s", second.Trial, "w", TrialStatus.Completed, null, null, 1, null, null, "{\"files\":[]}"));
        Assert.AreEqual("{\"files\":[]}", Open(location).LoadTrial("s", second.Trial).Outputs);
        Open(location); // migrated once: the column is not added again
    }

    [TestMethod]
    public void StoreCopy_SearchStartedOnSqlite_ReadsBackEqualAndResumesAsAnUninterruptedSearch()
    {
        string source = Path.Combine(TestDirectory, "source.db"), reference = Path.Combine(TestDirectory, "reference.db"), target = NewStore();
        var uninterrupted = new CheapSearch { UnitMilliseconds = 1 }.Experiment(Open(reference), "s", 9, Beat, Stale).RunAsync().GetAwaiter().GetResult();
        new CheapSearch { UnitMilliseconds = 1 }.Experiment(Open(source), "s", 6, Beat, Stale).RunAsync().GetAwaiter().GetResult();

        (int code, string output) = CliRunner.Run("store", "copy", "--from", source, "--to", target, "--search", "s");

        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "(6 trials)");
        var expected = Open(source).LoadTrials("s", CheapSearch.Space);
        var copied = Open(target).LoadTrials("s", CheapSearch.Space);
        Assert.HasCount(6, copied);
        for (int i = 0; i < expected.Count; i++)
        {
            TrialRecord e = expected[i], a = copied[i];
            Assert.AreEqual(e with { Intermediate = a.Intermediate, Details = a.Details, Parameters = a.Parameters }, a, $"trial {i}");
            Assert.AreEqual(e.Parameters.ToJson(), a.Parameters.ToJson());
            CollectionAssert.AreEquivalent(e.Intermediate.ToArray(), a.Intermediate.ToArray());
        }
        Assert.AreEqual(Open(source).LoadSearch("s"), Open(target).LoadSearch("s"));

        // The copy resumes: three more trials, the ones the uninterrupted search proposed.
        var resumed = new CheapSearch { UnitMilliseconds = 1 }.Experiment(Open(target), "s", 9, Beat, Stale).RunAsync().GetAwaiter().GetResult();
        Assert.IsTrue(resumed.Resumed);
        Assert.AreEqual(3, resumed.TrialsRun);
        CollectionAssert.AreEqual(uninterrupted.Trials.Select(t => t.Parameters.ToJson()).ToArray(), resumed.Trials.Select(t => t.Parameters.ToJson()).ToArray());

        (int again, string twice) = CliRunner.Run("store", "copy", "--from", source, "--to", target, "--search", "s");
        Assert.AreEqual(1, again);
        StringAssert.Contains(twice, "already has a search \"s\"");
    }
}

/// <summary>A <c>MLCardiac.StoreWorker</c> child process: <c>dotnet MLCardiac.StoreWorker.dll</c> working on a <see cref="CheapSearch"/>.</summary>
internal sealed class StoreWorkerProcess : IDisposable
{
    private readonly CliProcess _process;

    private StoreWorkerProcess(CliProcess process) => _process = process;

    /// <summary>Process id.</summary>
    public int Id => _process.Id;

    /// <summary>Units this worker finished (its last line, "ran N"), after <see cref="WaitForSuccess"/>.</summary>
    public int Ran { get; private set; }

    /// <summary>Starts a worker on search <paramref name="search"/> of <paramref name="store"/>.</summary>
    public static StoreWorkerProcess Start(string store, string search, int trials, int unitMs, string log, int heartbeatMs = 200, int staleMs = 1500) =>
        new(CliProcess.StartDll(Dll(), ["--store", store, "--search", search, "--trials", $"{trials}", "--unit-ms", $"{unitMs}", "--log", log,
            "--heartbeat-ms", $"{heartbeatMs}", "--stale-ms", $"{staleMs}"]));

    /// <summary>Waits for the worker to exit 0.</summary>
    public void WaitForSuccess(TimeSpan timeout)
    {
        var (code, output) = _process.WaitForExit(timeout);
        Assert.AreEqual(0, code, $"worker {Id}: {output}");
        string last = _process.StandardOutput.Trim().Split('\n')[^1];
        Ran = int.Parse(last["ran ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>kill -9: no cleanup, no release of its trial, heartbeat stops.</summary>
    public void KillHard() => _process.KillHard();

    /// <summary>The <paramref name="what"/> lines the worker processes wrote, each to its own <c>LOG.PID</c> file.</summary>
    public static List<(int Trial, int Pid)> Lines(string log, string what) =>
        Directory.EnumerateFiles(Path.GetDirectoryName(log)!, Path.GetFileName(log) + ".*").SelectMany(File.ReadAllLines)
            .Select(l => l.Split(' ')).Where(p => p.Length == 3 && p[0] == what)
            .Select(p => (int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture))).ToList();

    /// <summary>Waits until <paramref name="log"/> has a <paramref name="what"/> line from process <paramref name="pid"/>.</summary>
    public static (int Trial, int Pid) WaitForLine(string log, string what, int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            foreach (var line in Lines(log, what))
                if (line.Pid == pid) return line;
            Thread.Sleep(50);
        }
        Assert.Fail($"process {pid} wrote no \"{what}\" line to {log} within {timeout}");
        return default;
    }

    private static string Dll()
    {
        string baseDir = AppContext.BaseDirectory;
        string configuration = baseDir.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dir = new DirectoryInfo(baseDir);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MLCardiac.sln"))) dir = dir.Parent;
        Assert.IsNotNull(dir, $"no MLCardiac.sln above {baseDir}");
        string dll = Path.Combine(dir.FullName, "tests", "MLCardiac.StoreWorker", "bin", configuration, "net10.0", "MLCardiac.StoreWorker.dll");
        Assert.IsTrue(File.Exists(dll), $"{dll} is missing: build the solution (the test project references the worker)");
        return dll;
    }

    /// <inheritdoc/>
    public void Dispose() => _process.Dispose();
}
