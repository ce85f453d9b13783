using MLCardiac.Search;

namespace MLCardiac.Tests.Search;

[TestClass]
public sealed class TrialStoreTests
{
    private string? _dir;

    [TestCleanup]
    public void Cleanup()
    {
        if (_dir is not null && Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string StorePath(string name)
    {
        _dir ??= Path.Combine(Path.GetTempPath(), "mlcardiac-store-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        return Path.Combine(_dir, name + ".db");
    }

    private static SearchExperiment Experiment(SyntheticObjective objective, SqliteTrialStore store, int trials, TunerKind tuner = TunerKind.CfoAsha, int seed = 7) =>
        new SearchExperiment(objective)
            .SetSearchSpace(SyntheticObjective.Space)
            .SetTuner(tuner, seed)
            .SetBudget(new SearchBudget(MaxTrials: trials))
            .SetEpochs(SyntheticObjective.MaxEpochs, 1, 3)
            .SetStore(store, "s");

    private static void AssertSameTrials(SearchResult expected, SearchResult actual)
    {
        Assert.HasCount(expected.Trials.Count, actual.Trials);
        for (int i = 0; i < expected.Trials.Count; i++)
        {
            TrialRecord e = expected.Trials[i], a = actual.Trials[i];
            Assert.AreEqual(e.Parameters.ToJson(), a.Parameters.ToJson(), $"trial {i}");
            Assert.AreEqual(e.Status, a.Status, $"trial {i}");
            Assert.AreEqual(e.Metric, a.Metric, $"trial {i}");
        }
        Assert.AreEqual(expected.Best!.Trial, actual.Best!.Trial);
        Assert.AreEqual(expected.Best.Metric, actual.Best.Metric);
    }

    [TestMethod]
    public void RunAsync_CancelledMidwayThenResumed_FinishedTrialsNotRerunAndResultEqualsUninterrupted()
    {
        SearchResult uninterrupted = Experiment(new SyntheticObjective(), new SqliteTrialStore(StorePath("a")), 30).RunAsync().GetAwaiter().GetResult();

        using var cts = new CancellationTokenSource();
        var first = new SyntheticObjective { BeforeEpoch = c => { if (c.Trial == 12) cts.Cancel(); } };
        var storeB = new SqliteTrialStore(StorePath("b"));
        Assert.ThrowsExactly<OperationCanceledException>(() => Experiment(first, storeB, 30).RunAsync(cancellationToken: cts.Token).GetAwaiter().GetResult());
        var afterKill = storeB.LoadTrials("s", SyntheticObjective.Space);
        Assert.HasCount(13, afterKill);
        Assert.AreEqual(TrialStatus.Pending, afterKill[12].Status);
        Assert.IsTrue(afterKill.Take(12).All(t => t.IsFinished));

        var second = new SyntheticObjective();
        SearchResult resumed = Experiment(second, new SqliteTrialStore(StorePath("b")), 30).RunAsync().GetAwaiter().GetResult();
        Assert.IsTrue(resumed.Resumed);
        Assert.IsFalse(second.Calls.Any(t => t < 12), "a finished trial was run again");
        Assert.AreEqual(1, second.CallsPerTrial[12]);
        Assert.AreEqual(18, resumed.TrialsRun);
        AssertSameTrials(uninterrupted, resumed);
    }

    [TestMethod]
    public void RunAsync_TrialOfADeadWorker_IsRetriedAfterItsHeartbeatGoesStale()
    {
        SearchResult reference = Experiment(new SyntheticObjective(), new SqliteTrialStore(StorePath("ref")), 8).RunAsync().GetAwaiter().GetResult();

        var store = new SqliteTrialStore(StorePath("dead"));
        var experiment = Experiment(new SyntheticObjective(), store, 8);
        experiment.RunAsync().GetAwaiter().GetResult();            // 8 trials…
        var more = Experiment(new SyntheticObjective(), store, 10); // …then a worker claims trial 8 and dies without a heartbeat.
        _ = store.EnsureSearch("s", more.Fingerprint(), more.Fingerprint());
        TrialRecord? claimed = store.Claim("s", "dead-worker", TimeSpan.MaxValue, h => new NewTrial(more.Replay(SyntheticObjective.Space, h).Propose(8), "tuner", 5), SyntheticObjective.Space);
        Assert.AreEqual(8, claimed!.Trial);
        // Restarted at once: trial 8 still looks alive, so the worker runs trial 9, then waits for 8 to go stale and retries it.

        var objective = new SyntheticObjective();
        SearchResult result = Experiment(objective, store, 10).SetHeartbeat(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1500)).RunAsync().GetAwaiter().GetResult();
        Assert.AreEqual(2, result.Trials[8].Attempts);
        Assert.IsTrue(result.Trials[8].IsFinished);
        Assert.AreEqual(1, objective.CallsPerTrial[8]);
        CollectionAssert.AreEquivalent(new[] { 8, 9 }, objective.CallsPerTrial.Keys.ToArray());
        for (int i = 0; i < 8; i++) Assert.AreEqual(reference.Trials[i].Parameters.ToJson(), result.Trials[i].Parameters.ToJson());
    }

    [TestMethod]
    public void RunAsync_TwoWorkersOnOneStoreFile_NeverRunTheSameTrial()
    {
        string path = StorePath("shared");
        var objective = new SyntheticObjective { BeforeEpoch = _ => Thread.Sleep(2) };
        // Two experiments with their own store objects (as two processes would have), two threads each.
        Task<SearchResult> a = Experiment(objective, new SqliteTrialStore(path), 40, TunerKind.Asha).SetConcurrency(2).RunAsync();
        Task<SearchResult> b = Experiment(objective, new SqliteTrialStore(path), 40, TunerKind.Asha).SetConcurrency(2).RunAsync();
        Task.WaitAll(a, b);
        var trials = new SqliteTrialStore(path).LoadTrials("s");
        Assert.HasCount(40, trials);
        Assert.IsTrue(trials.All(t => t.IsFinished && t.Attempts == 1));
        Assert.HasCount(40, objective.Calls);
        Assert.IsTrue(objective.CallsPerTrial.Values.All(n => n == 1), "a trial ran twice");
        Assert.IsGreaterThanOrEqualTo(2, trials.Select(t => t.Worker).Distinct().Count(), "the trials were not spread over workers");
        Assert.AreEqual(40, a.Result.TrialsRun + b.Result.TrialsRun);
    }

    [TestMethod]
    public void RunAsync_StoreOfAnotherSearchSetting_RefusesToResume()
    {
        var store = new SqliteTrialStore(StorePath("other"));
        Experiment(new SyntheticObjective(), store, 3, seed: 1).RunAsync().GetAwaiter().GetResult();
        var e = Assert.ThrowsExactly<MLCardiacException>(() => Experiment(new SyntheticObjective(), store, 3, seed: 2).RunAsync().GetAwaiter().GetResult());
        StringAssert.Contains(e.Message, "other settings");
    }

    [TestMethod]
    public void RunAsync_DefaultIncluded_TrialZeroIsTheDefaultPipeline()
    {
        var result = Experiment(new SyntheticObjective(), new SqliteTrialStore(StorePath("default")), 4).RunAsync().GetAwaiter().GetResult();
        Assert.AreEqual("default", result.Trials[0].Origin);
        Assert.AreEqual(SyntheticObjective.Space.Default().ToJson(), result.Trials[0].Parameters.ToJson());
        Assert.AreEqual(9, result.Trials[0].Epochs);
        Assert.IsTrue(result.Trials[0].Intermediate.Count >= 1);
    }

    [TestMethod]
    public void RunAsync_TunerProposesAnEvaluatedConfiguration_ItIsNotRunAgain()
    {
        // CFO starts at the low-cost point, which here is the default pipeline that trial 0 already evaluated.
        var space = new SearchSpace([new SearchParameter { Name = "x", Kind = ParameterKind.Real, Min = -5, Max = 10, Default = 3.0 }]);
        var result = new SearchExperiment(new SyntheticObjective()).SetSearchSpace(space).SetTuner(TunerKind.Cfo, 1)
            .SetBudget(new SearchBudget(MaxTrials: 6)).SetEpochs(3).SetStore(new SqliteTrialStore(StorePath("dup")), "s")
            .RunAsync().GetAwaiter().GetResult();
        Assert.HasCount(6, result.Trials);
        Assert.HasCount(6, result.Trials.Select(t => t.Parameters.GetDouble("x", 0).ToString("G10", System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList());
    }
}
