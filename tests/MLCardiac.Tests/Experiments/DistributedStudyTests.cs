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

    [TestMethod]
    public void Worker_KilledMidUnit_OnSqlite_AnotherResumesTheUnitFromItsCheckpoint() => KilledMidUnit(root => Path.Combine(root, "store.db"));

    [TestMethod]
    public void Worker_KilledMidUnit_OnPostgreSql_AnotherResumesTheUnitFromItsCheckpoint()
    {
        if (Support.PostgresServer.FindBinaries() is null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(Support.PostgresServer.MissingMessage);
            Assert.Inconclusive(Support.PostgresServer.MissingMessage);
        }
        using var server = Support.PostgresServer.Start();
        KilledMidUnit(_ => server.NewDatabase());
    }

    /// <summary>
    /// With folds, each fold is a unit (<c>ARM/seed-N/fold-K</c>) that any worker claims; the arm × seed unit is offered only once
    /// its folds have completed, and it assembles the ensemble from their saved models without fitting any again.
    /// </summary>
    [TestMethod]
    public void Workers_StudyWithFolds_EachFoldIsAUnit_AndTheArmUnitAssemblesTheirEnsemble()
    {
        string root = Directory.CreateTempSubdirectory("mlcardiac-dist-cv-").FullName;
        string db = Path.Combine(root, "store.db");
        try
        {
            string file = Path.Combine(root, "tiny-cvd.json");
            File.WriteAllText(file, CrossValidationStudyTests.Study.Replace("tiny-cv", "tiny-cvd").Replace("\"folds\": 3", "\"folds\": 2"));
            string models = Path.Combine(root, "models"), reports = Path.Combine(root, "reports");
            (int code, string output) = CliRunner.Run("run", file, "--data", Path.Combine(root, "data"), "--out-models", models, "--out-reports", reports, "--store", db, "--enqueue-only");
            Assert.AreEqual(0, code, output);
            (code, output) = CliRunner.Run("worker", "--store", db, "--study", "study/tiny-cvd", "--max-units", "1");
            Assert.AreEqual(0, code, output);
            StringAssert.Contains(output, "1 of 3 units of the study completed");
            (code, output) = CliRunner.Run("worker", "--store", db, "--study", "study/tiny-cvd");
            Assert.AreEqual(0, code, output);
            Assert.IsTrue(File.Exists(Path.Combine(reports, "tiny-cvd", "report.html")), output);

            ITrialStore store = TrialStores.Open(db);
            var trials = store.LoadTrials("study/tiny-cvd");
            TrialStores.Close(store);
            CollectionAssert.AreEqual(new[] { "cv/seed-1/fold-0", "cv/seed-1/fold-1", "cv/seed-1", DistributedStudy.ReportUnit }, trials.Select(t => t.Parameters.GetString(DistributedStudy.UnitParameter, "")).ToArray());
            Assert.IsTrue(trials.All(t => t.Status == TrialStatus.Completed && t.Attempts == 1), "each unit ran once");
            Assert.AreNotEqual(trials[0].Worker, trials[1].Worker, "the two folds were run by the two workers");
            Assert.IsGreaterThan(Math.Max(trials[0].FinishedSeq!.Value, trials[1].FinishedSeq!.Value), trials[2].ProposedSeq, "the arm unit was offered after its folds completed");

            var result = StudyResults.Read<ArmRunResult>(Path.Combine(reports, "tiny-cvd", "arms", "cv", "seed-1", StudyResults.ResultFile));
            Assert.HasCount(2, result.Folds);
            for (int f = 0; f < 2; f++)
            {
                UnitOutputs fold = UnitOutputs.FromJson(trials[f].Outputs, db, "study/tiny-cvd", trials[f].Parameters.GetString(DistributedStudy.UnitParameter, ""));
                Assert.AreEqual($"models/tiny-cvd/cv/seed-1/fold-{f}/model.zip", fold.Files[0].Path);
                Assert.AreEqual(UnitOutputs.Sha256(Path.Combine(models, "tiny-cvd", "cv", "seed-1", $"fold-{f}", "model.zip")), fold.Files[0].Sha256, "the fold model was not fitted again");
                Assert.IsTrue(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(fold.Result),
                    System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(result.Folds[f], StudyResults.Json))), $"fold {f}: the arm's result holds the fold unit's result");
            }
            Assert.IsTrue(File.Exists(Path.Combine(models, "tiny-cvd", "cv", "seed-1", "model.zip")), "the ensemble's model file");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// A worker process is killed with SIGKILL while it trains the study's one unit (after its first epoch's checkpoint); once
    /// the unit's heartbeat is older than the study's stale timeout (3 s here), a second worker takes it over, resumes it
    /// from the checkpoint and completes the study: each unit completed once in the store, one model file, and a training
    /// log whose epochs before the kill are the killed worker's lines (restored from the checkpoint, not trained again).
    /// </summary>
    private static void KilledMidUnit(Func<string, string> storeIn)
    {
        const int Epochs = 12;
        string root = Directory.CreateTempSubdirectory("mlcardiac-kill-").FullName;
        string db = storeIn(root);
        try
        {
            string file = Path.Combine(root, "tiny-kill.json");
            File.WriteAllText(file, Study.Replace("tiny-dist", "tiny-kill")
                .Replace("\"epochs\": 1, \"iterationsPerEpoch\": 2", $"\"epochs\": {Epochs}, \"iterationsPerEpoch\": 4, \"patience\": 0")
                .Replace(", { \"name\": \"second\", \"augmentation\": \"standard\" }", ""));
            // The artifact folder as a file:// URI; the store records it and the workers write there.
            string shared = Path.Combine(root, "shared"), models = Path.Combine(shared, "models"), reports = Path.Combine(shared, "reports");
            (int code, string output) = CliRunner.Run("run", file, "--data", Path.Combine(root, "data"), "--artifacts", new Uri(shared).AbsoluteUri,
                "--store", db, "--stale", "3s", "--enqueue-only");
            Assert.AreEqual(0, code, output);

            string log = Path.Combine(models, "tiny-kill", "first", "seed-1", MLCardiac.Training.SegmentationTrainer.LogFile);
            string[] beforeKill;
            using (var doomed = Support.CliProcess.Start("worker", "--store", db, "--study", "study/tiny-kill"))
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (true)
                {
                    beforeKill = CompleteLines(log);
                    if (beforeKill.Length > 0) break;
                    if (!doomed.IsRunning) Assert.Fail("the worker exited before its first epoch: " + doomed.WaitForExit(TimeSpan.Zero).Output);
                    if (clock.Elapsed > TimeSpan.FromMinutes(3)) Assert.Fail("no epoch within 3 minutes");
                    Thread.Sleep(20);
                }
                doomed.KillHard();
            }
            Assert.IsLessThan(Epochs, beforeKill.Length, "the unit was killed before its training ended");
            ITrialStore store = TrialStores.Open(db);
            TrialRecord killed = store.LoadTrials("study/tiny-kill").Single();
            Assert.AreEqual(TrialStatus.Running, killed.Status, "the killed worker's unit is still marked running");

            Thread.Sleep(TimeSpan.FromSeconds(4)); // its heartbeat lapses (stale after 3 s)
            (code, output) = CliRunner.Run("worker", "--store", db, "--study", "study/tiny-kill");
            Assert.AreEqual(0, code, output);

            var trials = store.LoadTrials("study/tiny-kill");
            CollectionAssert.AreEqual(new[] { "first/seed-1", DistributedStudy.ReportUnit }, trials.Select(t => t.Parameters.GetString(DistributedStudy.UnitParameter, "")).ToArray());
            Assert.IsTrue(trials.All(t => t.Status == TrialStatus.Completed), "every unit completed");
            Assert.AreEqual(2, trials[0].Attempts, "the killed worker's unit was taken over once");
            Assert.AreNotEqual(killed.Worker, trials[0].Worker, "another worker completed it");
            Assert.AreEqual(1, trials[1].Attempts);
            Assert.IsTrue(File.Exists(Path.Combine(reports, "tiny-kill", "report.html")), output);
            Assert.HasCount(1, Directory.GetFiles(models, "model.zip", SearchOption.AllDirectories));
            UnitOutputs recorded = UnitOutputs.FromJson(trials[0].Outputs, db, "study/tiny-kill", "first/seed-1");
            Assert.AreEqual(UnitOutputs.Sha256(Path.Combine(models, "tiny-kill", "first", "seed-1", "model.zip")), recorded.Files[0].Sha256, "the model the store vouches for is the one on disk");

            string[] after = CompleteLines(log);
            Assert.HasCount(Epochs, after, "one log line per epoch: nothing trained twice");
            CollectionAssert.AreEqual(beforeKill, after.Take(beforeKill.Length).ToArray(), "the epochs before the kill come from the checkpoint, not from a second run");
            var result = StudyResults.Read<ArmRunResult>(Path.Combine(reports, "tiny-kill", "arms", "first", "seed-1", StudyResults.ResultFile));
            CollectionAssert.AreEqual(Enumerable.Range(0, Epochs).ToArray(), result.History.Select(h => h.Epoch).ToArray());
            TrialStores.Close(store);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The lines of <paramref name="path"/> that end with a newline (a line being appended is left out).</summary>
    private static string[] CompleteLines(string path)
    {
        if (!File.Exists(path)) return [];
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException) { return []; }
        int end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n');
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

            // Each unit recorded its files' SHA-256 with its completion, relative to the artifact roots the store names.
            string models = Path.Combine(root, "models");
            foreach (TrialRecord unit in trials.Take(2))
            {
                UnitOutputs recorded = UnitOutputs.FromJson(unit.Outputs, db, "study/tiny-dist", "?");
                string arm = recorded.Unit.Split('/')[0];
                CollectionAssert.AreEqual(new[] { $"models/tiny-dist/{arm}/seed-1/model.zip", $"reports/tiny-dist/arms/{arm}/seed-1/result.json" }, recorded.Files.Select(f => f.Path).ToArray());
                Assert.AreEqual(UnitOutputs.Sha256(Path.Combine(models, "tiny-dist", arm, "seed-1", "model.zip")), recorded.Files[0].Sha256);
                Assert.AreEqual(UnitOutputs.Sha256(Path.Combine(reports, "tiny-dist", "arms", arm, "seed-1", StudyResults.ResultFile)), recorded.Files[1].Sha256);
            }

            // The report rebuilt from the store alone, the report folder gone: the same metrics.
            var original = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(reports, "tiny-dist", "metrics.json")));
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(reports, recursive: true);
            (code, output) = CliRunner.Run("report", "--store", db, "--study", "study/tiny-dist");
            Assert.AreEqual(0, code, output);
            var rebuilt = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(reports, "tiny-dist", "metrics.json")));
            Assert.IsTrue(System.Text.Json.Nodes.JsonNode.DeepEquals(original, rebuilt), $"metrics differ:\n{original}\n---\n{rebuilt}");
            Assert.IsTrue(File.Exists(Path.Combine(reports, "tiny-dist", "report.html")));

            // A model file changed after its unit finished, or gone: refused, naming the file.
            string model = Path.Combine(models, "tiny-dist", "second", "seed-1", "model.zip");
            byte[] bytes = File.ReadAllBytes(model);
            bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(model, bytes);
            (code, output) = CliRunner.Run("report", "--store", db, "--study", "study/tiny-dist");
            Assert.AreEqual(1, code, output);
            StringAssert.Contains(output, model + ": SHA-256");
            StringAssert.Contains(output, "differs from the");
            File.Delete(model);
            (code, output) = CliRunner.Run("report", "--store", db, "--study", "study/tiny-dist");
            Assert.AreEqual(1, code, output);
            StringAssert.Contains(output, model + ": missing; unit \"second/seed-1\" recorded it in");
            TrialStores.Close(store);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }
}
