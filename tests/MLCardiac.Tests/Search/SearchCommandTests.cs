using System.Text.Json;
using MLCardiac.Data.Synthetic;
using MLCardiac.Inference;
using MLCardiac.Search;
using MLCardiac.Tests.Cli;
using MLCardiac.Tests.Data;
using MLCardiac.Tracking;

namespace MLCardiac.Tests.Search;

/// <summary><c>mlcardiac search</c> end to end: a tiny real search (64×64 synthetic, 3 trials, 2 epochs).</summary>
[TestClass]
public sealed class SearchCommandTests
{
    private static string _dir = "";

    [ClassInitialize]
    public static void WriteDataset(TestContext context)
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlcardiac-cli-search-" + Guid.NewGuid().ToString("N"));
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(Path.Combine(_dir, "data"), new SyntheticDatasetRequest
        {
            Vendors = [VendorProfiles.A, VendorProfiles.B, VendorProfiles.D],
            SubjectsPerVendor = 2,
        });
        // The study format with a search section (the search-only format is exercised by SearchRefitTests).
        File.WriteAllText(Path.Combine(_dir, "tiny.json"), $$"""
            {
              "schemaVersion": 1,
              "id": "tiny",
              "data": { "source": "path", "path": "{{Path.Combine(_dir, "data").Replace("\\", "/", StringComparison.Ordinal)}}" },
              "split": { "trainVendors": ["A", "B"], "testVendors": ["D"] },
              "preprocessing": { "size": 64, "spacingMm": 2.5 },
              "model": { "baseFilters": 4, "depth": 3 },
              "training": { "epochs": 2, "batchSize": 2, "iterationsPerEpoch": 3 },
              "augmentation": "none",
              "search": {
                "tuner": "cfo+asha", "seed": 3, "budget": { "trials": 3 },
                "validation": { "slices": 12 },
                "parameters": {
                  "learningRate": { "type": "logUniform", "min": 0.001, "max": 0.02 },
                  "crossEntropyWeight": { "type": "logUniform", "min": 0.3, "max": 3 }
                }
              }
            }
            """);
    }

    [ClassCleanup]
    public static void DeleteDataset() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void Search_TinyPipeline_StoresTrialsRefitsBestAndWritesReport_ThenResumesWithoutRerunning()
    {
        string reports = Path.Combine(_dir, "reports"), models = Path.Combine(_dir, "models");
        string[] args = ["search", Path.Combine(_dir, "tiny.json"), "--reports", reports, "--models", models, "--refit-default"];

        (int code, string output) = CliRunner.Run(args);

        Assert.AreEqual(0, code, output);
        string folder = Path.Combine(reports, "tiny-cfo-asha");
        string db = Path.Combine(reports, "mlcardiac.db");
        var trials = new SqliteTrialStore(db).LoadTrials("tiny-cfo-asha");
        Assert.HasCount(3, trials);
        Assert.AreEqual("default", trials[0].Origin);
        Assert.IsTrue(trials.All(t => t.Status is TrialStatus.Completed or TrialStatus.Stopped), string.Join("; ", trials.Select(t => t.Error)));
        Assert.IsTrue(trials.All(t => t.Metric is >= 0 and <= 1 && t.Intermediate.Count >= 1));
        Assert.HasCount(4, File.ReadAllLines(Path.Combine(folder, "trials.csv")));
        foreach (var t in trials.Where(t => t.Status == TrialStatus.Stopped))
            Assert.IsLessThan(t.Epochs, t.Intermediate.Count, $"trial {t.Trial} was stopped, so it ran fewer epochs than its budget");
        foreach (var t in trials.Where(t => t.Status == TrialStatus.Completed))
            Assert.HasCount(t.Epochs, t.Intermediate, $"trial {t.Trial} completed, so it reported every epoch");

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "search.json")));
        var best = trials.Where(t => t.Status == TrialStatus.Completed).MaxBy(t => t.Metric)!;
        Assert.AreEqual(best.Trial, summary.RootElement.GetProperty("best").GetProperty("trial").GetInt32());
        double testDice = summary.RootElement.GetProperty("bestRefit").GetProperty("TestMetrics").GetProperty("D/meanDice").GetDouble();
        Assert.IsTrue(testDice is > 0 and <= 1, $"{testDice}");
        Assert.IsTrue(summary.RootElement.GetProperty("defaultRefit").GetProperty("TestMetrics").TryGetProperty("D/meanDice", out _));

        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        StringAssert.Contains(html, "<svg");
        StringAssert.Contains(html, "Parallel coordinates");
        StringAssert.Contains(html, "Test vendors");
        Assert.DoesNotContain("src=\"http", html, "the report must be self-contained");

        using (var model = MLCardiac.ML.CardiacModel.Load(Path.Combine(models, "tiny-cfo-asha", "best")))
            Assert.AreEqual(4, model.Segmentation!.Model.Description.Network.BaseFilters);

        // The same database records the finished search as a run: best parameters, validation and test metrics, model file.
        string modelFile = Path.Combine(models, "tiny-cfo-asha", "best", SegmentationTrialObjective.ModelFile);
        RunRecord run;
        using (var store = new RunStore(db))
        {
            var listed = store.List();
            Assert.HasCount(1, listed);
            Assert.AreEqual(SearchRunRecord.Kind, listed[0].Kind);
            Assert.AreEqual("tiny-cfo-asha", listed[0].Name);
            run = store.Get(listed[0].Id);
        }
        Assert.AreEqual(best.Metric!.Value, run.Metrics["validation.best.meanDice"], 1e-12);
        Assert.AreEqual(trials[0].Metric!.Value, run.Metrics["validation.default.meanDice"], 1e-12);
        Assert.AreEqual(testDice, run.Metrics["test.best.D/meanDice"], 1e-12);
        Assert.AreEqual(SearchParameter.Format(best.Parameters["learningRate"]), run.Parameters["best.learningRate"]);
        Assert.AreEqual(modelFile, run.Artifacts["model.best"]);
        (int listCode, string listOutput) = CliRunner.Run("runs", "list", "--db", db);
        Assert.AreEqual(0, listCode, listOutput);
        StringAssert.Contains(listOutput, "tiny-cfo-asha");
        StringAssert.Contains(listOutput, "search");
        (int showCode, string showOutput) = CliRunner.Run("runs", "show", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--db", db);
        Assert.AreEqual(0, showCode, showOutput);
        foreach (string expected in new[] { "best.learningRate", "validation.best.meanDice", "test.best.D/meanDice", "model.best" })
            StringAssert.Contains(showOutput, expected);

        // The same command again: the budget is spent, nothing is rerun, the same best comes back.
        (int again, string output2) = CliRunner.Run([.. args, "--no-refit"]);
        Assert.AreEqual(0, again, output2);
        var after = new SqliteTrialStore(db).LoadTrials("tiny-cfo-asha");
        Assert.HasCount(3, after);
        Assert.IsTrue(after.All(t => t.Attempts == 1));
        using (var store = new RunStore(db))
            Assert.HasCount(2, store.List(), "the second run of the search is a run of its own");
    }

    [TestMethod]
    public void SearchEnqueueOnly_ThenAWorkerOnPostgres_ThenSearch_TrialsSharedThroughTheServerAndEachRunOnce()
    {
        if (Support.PostgresServer.FindBinaries() is null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(Support.PostgresServer.MissingMessage);
            Assert.Inconclusive(Support.PostgresServer.MissingMessage);
        }
        using var server = Support.PostgresServer.Start();
        string url = server.NewDatabase();
        string reports = Path.Combine(_dir, "reports-pg"), models = Path.Combine(_dir, "models-pg");
        string[] search = ["search", Path.Combine(_dir, "tiny.json"), "--store", url, "--reports", reports, "--models", models, "--no-refit"];

        (int code, string output) = CliRunner.Run([.. search, "--enqueue-only"]);
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "is now in " + url);
        using (var store = new PostgresTrialStore(url))
            Assert.HasCount(0, store.LoadTrials("tiny-cfo-asha"), "enqueue-only runs no trial");

        // A worker reads the pipeline from the store and runs one trial through the search's objective.
        (int workerCode, string workerOutput) = CliRunner.Run("worker", "--store", url, "--search", "tiny-cfo-asha", "--max-units", "1");
        Assert.AreEqual(0, workerCode, workerOutput);
        StringAssert.Contains(workerOutput, "1 trial(s) run here");
        using (var store = new PostgresTrialStore(url))
        {
            var afterWorker = store.LoadTrials("tiny-cfo-asha");
            Assert.HasCount(1, afterWorker);
            Assert.IsTrue(afterWorker[0].IsFinished && afterWorker[0].Metric is >= 0 and <= 1, afterWorker[0].Error);
        }

        (int unknown, string unknownOutput) = CliRunner.Run("worker", "--store", url, "--search", "nope");
        Assert.AreEqual(1, unknown);
        StringAssert.Contains(unknownOutput, $"{url}: has no search \"nope\" (it has: tiny-cfo-asha)");

        // The registering command then runs the rest of the budget and reports; runs go to the local SQLite file.
        (int again, string output2) = CliRunner.Run(search);
        Assert.AreEqual(0, again, output2);
        using (var store = new PostgresTrialStore(url))
        {
            var trials = store.LoadTrials("tiny-cfo-asha");
            Assert.HasCount(3, trials);
            Assert.IsTrue(trials.All(t => t.IsFinished && t.Attempts == 1));
        }
        Assert.IsTrue(File.Exists(Path.Combine(reports, "tiny-cfo-asha", "report.html")));
        using (var runs = new RunStore(Path.Combine(reports, "mlcardiac.db")))
            Assert.HasCount(1, runs.List());
    }

    [TestMethod]
    public void Search_MissingPipelineFile_OneLineError()
    {
        (int code, string output) = CliRunner.Run("search", Path.Combine(_dir, "nope.json"));
        Assert.AreEqual(1, code);
        StringAssert.Contains(output, "nope.json");
        StringAssert.Contains(output, "not found");
    }
}
