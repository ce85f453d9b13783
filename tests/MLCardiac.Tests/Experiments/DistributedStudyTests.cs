using MLCardiac.Experiments;
using MLCardiac.Search;
using MLCardiac.Tests.Cli;

namespace MLCardiac.Tests.Experiments;

/// <summary>
/// A study as units in a trial store: <c>mlcardiac run --store … --enqueue-only</c> registers it, workers
/// (<c>mlcardiac worker --study</c>) claim its arm × seed units, each runs once, and the worker that completes the last unit
/// writes the report.
/// </summary>
[TestClass]
public sealed class DistributedStudyTests
{
    private const string Study = """
        {
          "schemaVersion": 1, "id": "tiny-dist",
          "data": { "synthetic": { "seed": 77, "subjectsPerVendor": 3, "vendors": ["A", "B"], "minFrames": 4, "maxFrames": 6 } },
          "split": { "trainVendors": ["A"], "testFraction": 0.34, "validationFraction": 0.34 },
          "preprocessing": { "size": 64, "spacingMm": 2.5 },
          "model": { "baseFilters": 4, "depth": 2 },
          "training": { "epochs": 1, "iterationsPerEpoch": 2, "batchSize": 2 },
          "figures": [],
          "arms": [ { "name": "first" }, { "name": "second", "augmentation": "standard" } ]
        }
        """;

    [TestMethod]
    public void Workers_OnSqlite_ClaimEachUnitOnce_AndTheLastOneWritesTheReport() => Distributed(root => Path.Combine(root, "store.db"));

    [TestMethod]
    public void Workers_OnPostgreSql_ClaimEachUnitOnce_AndTheLastOneWritesTheReport()
    {
        if (Support.PostgresServer.FindBinaries() is null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(Support.PostgresServer.MissingMessage);
            Assert.Inconclusive(Support.PostgresServer.MissingMessage);
        }
        using var server = Support.PostgresServer.Start();
        Distributed(_ => server.NewDatabase());
    }

    private static void Distributed(Func<string, string> storeIn)
    {
        string root = Path.Combine(Path.GetTempPath(), "mlcardiac-dist-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        string db = storeIn(root);
        try
        {
            string file = Path.Combine(root, "tiny-dist.json");
            File.WriteAllText(file, Study);
            string reports = Path.Combine(root, "reports");
            string[] run = ["run", file, "--data", Path.Combine(root, "data"), "--out-models", Path.Combine(root, "models"), "--out-reports", reports, "--store", db];

            (int code, string output) = CliRunner.Run([.. run, "--enqueue-only"]);
            Assert.AreEqual(0, code, output);
            StringAssert.Contains(output, "mlcardiac worker --store");
            Assert.IsFalse(File.Exists(Path.Combine(reports, "tiny-dist", "report.html")), "enqueued only: nothing ran");

            (code, output) = CliRunner.Run("worker", "--store", db, "--study", "study/tiny-dist", "--max-units", "1");
            Assert.AreEqual(0, code, output);
            StringAssert.Contains(output, "1 of 2 units of the study completed");
            Assert.IsFalse(File.Exists(Path.Combine(reports, "tiny-dist", "report.html")));

            (code, output) = CliRunner.Run("worker", "--store", db, "--study", "study/tiny-dist");
            Assert.AreEqual(0, code, output);
            string report = Path.Combine(reports, "tiny-dist", "report.html");
            Assert.IsTrue(File.Exists(report), output);

            ITrialStore store = TrialStores.Open(db);
            var trials = store.LoadTrials("study/tiny-dist");
            CollectionAssert.AreEqual(new[] { "first/seed-1", "second/seed-1", DistributedStudy.ReportUnit }, trials.Select(t => t.Parameters.GetString(DistributedStudy.UnitParameter, "")).ToArray());
            Assert.IsTrue(trials.All(t => t.Status == TrialStatus.Completed && t.Attempts == 1), "each unit ran once");
            Assert.AreNotEqual(trials[0].Worker, trials[1].Worker, "the two units were run by the two workers");
            foreach (string arm in new[] { "first", "second" })
                Assert.IsTrue(File.Exists(Path.Combine(reports, "tiny-dist", "arms", arm, "seed-1", StudyResults.DoneFile)));

            // The registering command again: every unit is done, so it only assembles the report (no unit runs twice).
            DateTime written = File.GetLastWriteTimeUtc(Path.Combine(reports, "tiny-dist", "arms", "first", "seed-1", StudyResults.ResultFile));
            (code, output) = CliRunner.Run(run);
            Assert.AreEqual(0, code, output);
            Assert.AreEqual(written, File.GetLastWriteTimeUtc(Path.Combine(reports, "tiny-dist", "arms", "first", "seed-1", StudyResults.ResultFile)));
            Assert.HasCount(3, store.LoadTrials("study/tiny-dist"));

            // A changed pipeline file is refused for the registered study (its units would no longer be the same).
            File.WriteAllText(file, Study.Replace("\"epochs\": 1", "\"epochs\": 2"));
            (code, output) = CliRunner.Run("worker", "--store", db, "--study", "study/tiny-dist");
            Assert.AreEqual(1, code, output);
            (code, output) = CliRunner.Run("worker", "--store", db, "--study", "study/nope");
            Assert.AreEqual(1, code, output);
            StringAssert.Contains(output, "has no study \"study/nope\"");
            store.EnsureSearch("a-search", "fingerprint", "{}");
            (code, output) = CliRunner.Run("worker", "--store", db, "--study", "a-search");
            Assert.AreEqual(1, code, output);
            StringAssert.Contains(output, "\"a-search\" is a search, not a study");
            TrialStores.Close(store);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }
}
