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
}
