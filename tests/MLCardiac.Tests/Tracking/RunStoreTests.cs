using MLCardiac.Tracking;

namespace MLCardiac.Tests.Tracking;

/// <summary>The SQLite run store: what is added is read back whole; the schema version is checked.</summary>
[TestClass]
public sealed class RunStoreTests
{
    [TestMethod]
    public void Add_ThenGet_ReturnsEveryParameterMetricTimingAndArtifact()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlcardiac-runs-{Guid.NewGuid():N}.db");
        try
        {
            var started = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            var run = new RunRecord
            {
                Kind = "study",
                Name = "exp",
                Profile = "quick",
                Source = "pipelines/exp.json",
                StartedUtc = started,
                FinishedUtc = started.AddMinutes(3),
                Parameters = new Dictionary<string, string> { ["arms.a.training.epochs"] = "3", ["split.trainVendors"] = "A,B" },
                Metrics = new Dictionary<string, double> { ["a.seen.dice"] = 0.8125, ["a.unseen.dice"] = 0.5, ["vendor_classifier.flagged_unseen"] = double.NaN },
                TimingsSeconds = new Dictionary<string, double> { ["wall"] = 181.5 },
                Artifacts = new Dictionary<string, string> { ["report"] = "reports/exp/report.html" },
            };
            long first, second;
            using (var store = new RunStore(path))
            {
                first = store.Add(run);
                second = store.Add(run with { Name = "exp2" });
            }
            using (var store = new RunStore(path))
            {
                RunRecord back = store.Get(first);
                Assert.AreEqual("exp", back.Name);
                Assert.AreEqual("quick", back.Profile);
                Assert.AreEqual(started, back.StartedUtc);
                CollectionAssert.AreEquivalent(run.Parameters.ToList(), back.Parameters.ToList());
                Assert.AreEqual(0.8125, back.Metrics["a.seen.dice"]);
                Assert.IsTrue(double.IsNaN(back.Metrics["vendor_classifier.flagged_unseen"]));
                Assert.AreEqual(181.5, back.TimingsSeconds["wall"]);
                Assert.AreEqual("reports/exp/report.html", back.Artifacts["report"]);
                CollectionAssert.AreEqual(new[] { second, first }, store.List().Select(r => r.Id).ToArray());
                StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => store.Get(999)).Message, "no run #999");
            }
        }
        finally
        {
            foreach (string f in new[] { path, path + "-wal", path + "-shm" }) if (File.Exists(f)) File.Delete(f);
        }
    }

    [TestMethod]
    public void Open_NewerSchema_IsAClearError()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlcardiac-runs-{Guid.NewGuid():N}.db");
        try
        {
            using (var store = new RunStore(path)) { }
            using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "UPDATE schema_info SET version = 7";
                cmd.ExecuteNonQuery();
            }
            StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => new RunStore(path)).Message, "schema version 7");
        }
        finally
        {
            foreach (string f in new[] { path, path + "-wal", path + "-shm" }) if (File.Exists(f)) File.Delete(f);
        }
    }

    [TestMethod]
    public void OneFile_RunsAndTrials_SharedByConcurrentWriters_EverythingReadBack()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlcardiac-one-store-{Guid.NewGuid():N}.db");
        try
        {
            // Tracking first, then the trial tables join the same file (and the other way round in the second half).
            using (var runs = new RunStore(path)) runs.Add(new RunRecord { Kind = "study", Name = "before" });
            var trials = new MLCardiac.Search.SqliteTrialStore(path);
            trials.EnsureSearch("s", "fp", "{}");
            const int TrialCount = 12;
            var p = MLCardiac.Search.ParameterAssignment.Empty;
            // Three trial workers claim trials while a fourth records runs: every write is a short locking transaction.
            var claimed = new System.Collections.Concurrent.ConcurrentBag<int>();
            var workers = Enumerable.Range(0, 3).Select(w => Task.Run(() =>
            {
                while (trials.Claim("s", $"w{w}", TimeSpan.MaxValue, history => history.Count >= TrialCount ? null : new MLCardiac.Search.NewTrial(p, "tuner", 1)) is { } t)
                {
                    claimed.Add(t.Trial);
                    Assert.IsTrue(trials.Finish("s", t.Trial, $"w{w}", MLCardiac.Search.TrialStatus.Completed, t.Trial / 10.0, 1, 1, null, null));
                }
            })).Append(Task.Run(() =>
            {
                using var runs = new RunStore(path);
                for (int i = 0; i < 10; i++) runs.Add(new RunRecord { Kind = "search", Name = $"r{i}", Metrics = new Dictionary<string, double> { ["m"] = i } });
            })).ToArray();
            Task.WaitAll(workers);

            CollectionAssert.AreEquivalent(Enumerable.Range(0, TrialCount).ToList(), claimed.ToList(), "each trial claimed exactly once");
            var back = new MLCardiac.Search.SqliteTrialStore(path).LoadTrials("s");
            Assert.HasCount(TrialCount, back);
            Assert.IsTrue(back.All(t => t.Status == MLCardiac.Search.TrialStatus.Completed && t.Metric == t.Trial / 10.0));
            using (var runs = new RunStore(path))
            {
                var listed = runs.List();
                Assert.HasCount(11, listed);
                Assert.AreEqual(7.0, runs.Get(listed.Single(r => r.Name == "r7").Id).Metrics["m"]);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (string f in new[] { path, path + "-wal", path + "-shm" }) if (File.Exists(f)) File.Delete(f);
        }
    }

    [TestMethod]
    public void OneFile_TrialStoreFirst_RunStoreAddsItsTables()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlcardiac-one-store-{Guid.NewGuid():N}.db");
        try
        {
            new MLCardiac.Search.SqliteTrialStore(path).EnsureSearch("s", "fp", "{}");
            long id;
            using (var runs = new RunStore(path)) id = runs.Add(new RunRecord { Kind = "search", Name = "s" });
            Assert.IsTrue(new MLCardiac.Search.SqliteTrialStore(path).EnsureSearch("s", "fp", "{}"), "the search is still there");
            using (var runs = new RunStore(path)) Assert.AreEqual("s", runs.Get(id).Name);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (string f in new[] { path, path + "-wal", path + "-shm" }) if (File.Exists(f)) File.Delete(f);
        }
    }
}
