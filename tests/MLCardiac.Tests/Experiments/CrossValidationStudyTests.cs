using System.Text.Json;
using MLCardiac.Experiments;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Tests.Cli;

namespace MLCardiac.Tests.Experiments;

/// <summary>
/// <c>mlcardiac run</c> with <c>folds: 3</c> on a tiny synthetic study, run once for the class: fold models on
/// subject-grouped folds, out-of-fold predictions of every training case, the post-processing chosen on them, the ensemble
/// as one model file, and the ensemble against a single model in metrics.json and the report.
/// </summary>
[TestClass]
public sealed class CrossValidationStudyTests
{
    private static string _root = "";
    private static string _experiment = "";
    private static (int Code, string Output) _first;

    private static string Models => Path.Combine(_root, "models");
    private static string ReportDir => Path.Combine(_root, "reports", "tiny-cv");
    private static string Unit => Path.Combine(Models, "tiny-cv", "cv", "seed-1");

    internal const string Study = """
        {
          "schemaVersion": 1, "id": "tiny-cv",
          "data": { "synthetic": { "seed": 4321, "subjectsPerVendor": 5, "vendors": ["A", "B", "C"], "minFrames": 4, "maxFrames": 6 } },
          "split": { "trainVendors": ["A", "B"], "testFraction": 0.4 },
          "preprocessing": { "size": 64, "spacingMm": 2.5 },
          "model": { "baseFilters": 4, "depth": 2 },
          "training": { "epochs": 2, "iterationsPerEpoch": 2, "batchSize": 2 },
          "folds": 3,
          "figures": [],
          "arms": [ { "name": "cv", "augmentation": "none" } ]
        }
        """;

    private static string[] RunArgs => ["run", _experiment, "--data", Path.Combine(_root, "data"), "--out-models", Models, "--out-reports", Path.Combine(_root, "reports")];

    [ClassInitialize]
    public static void RunStudy(TestContext context)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-cv-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _experiment = Path.Combine(_root, "tiny-cv.json");
        File.WriteAllText(_experiment, Study);
        _first = CliRunner.Run(RunArgs);
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_root, recursive: true);

    private static ArmRunResult Result() => StudyResults.Read<ArmRunResult>(Path.Combine(ReportDir, "arms", "cv", "seed-1", StudyResults.ResultFile));

    [TestMethod]
    public void Run_WithFolds_EveryTrainingSubjectGetsOneOutOfFoldPrediction_FromAModelThatDidNotTrainOnIt()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        ArmRunResult result = Result();
        Assert.AreEqual(3, result.Folds.Count);
        var outOfFold = result.Folds.Select(f => f.OutOfFold.Select(c => c.Subject).Distinct().ToList()).ToList();
        var all = outOfFold.SelectMany(s => s).ToList();
        Assert.AreEqual(result.TrainSubjects, all.Count, "every training subject once");
        Assert.AreEqual(all.Count, all.Distinct().Count(), "no subject in two folds");
        foreach (FoldRunResult fold in result.Folds)
        {
            Assert.AreEqual(result.TrainSubjects, fold.TrainSubjects + fold.ValidationSubjects, $"fold {fold.Fold}: its model trained on the other folds' subjects only");
            Assert.AreEqual(fold.ValidationSubjects, outOfFold[fold.Fold].Count);
            Assert.IsTrue(fold.OutOfFold.All(c => c.Vendor is "A" or "B" && c.Role == "seen"), "out-of-fold cases are training-vendor cases");
            CollectionAssert.AreEquivalent(result.Cases.Select(c => (c.Subject, c.Frame)).ToList(), fold.Test.Select(c => (c.Subject, c.Frame)).ToList(), "each fold model is tested alone on the same cases as the ensemble");
            Assert.IsTrue(File.Exists(Path.Combine(Unit, $"fold-{fold.Fold}", ExperimentRunner.ModelFile)));
        }
        Assert.IsFalse(result.Cases.Any(c => all.Contains(c.Subject)), "test subjects are never training subjects");
    }

    [TestMethod]
    public void Run_WithFolds_SavesTheEnsembleAsOneModelFile_WithThePostProcessingOfThePooledOutOfFoldPredictions()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        ArmRunResult result = Result();
        PostProcessingChoice pooled = PostProcessingChoice.Merge([.. result.Folds.Select(f => f.PostProcessing!)]);
        Assert.AreEqual(result.Folds.Sum(f => f.ValidationSubjects) * 2, pooled.Structures.Max(s => s.Cases), "the choice pooled every out-of-fold case (ED and ES)");
        CollectionAssert.AreEqual(pooled.LargestComponentLabels.ToArray(), result.PostProcessing!.LargestComponentLabels.ToArray());

        using CardiacModel model = CardiacModel.Load(Path.Combine(Unit, ExperimentRunner.ModelFile));
        Assert.AreEqual(3, model.Segmentation!.Model.Networks.Count, "one file holds the three fold models");
        CollectionAssert.AreEqual(pooled.LargestComponentLabels.ToArray(), model.Segmentation.Model.Description.LargestComponentLabels!.ToArray());

        // The ensemble's cases differ from each single fold model's: it is its own model, not a copy of a fold.
        var byCase = result.Cases.ToDictionary(c => (c.Subject, c.Frame), c => c.MeanDice);
        Assert.IsTrue(result.Folds.All(f => f.Test.Any(c => Math.Abs(c.MeanDice - byCase[(c.Subject, c.Frame)]) > 1e-9)), "the ensemble equals no single fold model");
    }

    [TestMethod]
    public void Run_WithFolds_PutsTheEnsembleAgainstASingleModel_InMetricsAndReport()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        ArmRunResult result = Result();
        using JsonDocument metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReportDir, "metrics.json")));
        JsonElement arm = metrics.RootElement.GetProperty("arms")[0];
        Assert.AreEqual(3, arm.GetProperty("folds").GetArrayLength());
        Assert.AreEqual(result.TrainSubjects, arm.GetProperty("outOfFold").GetProperty("subjects").GetInt32());
        var effects = arm.GetProperty("ensembleEffects").EnumerateArray().ToDictionary(e => e.GetProperty("group").GetString()!);
        CollectionAssert.AreEquivalent(new[] { "seen", "unseen" }, effects.Keys.ToArray());
        // The single model's Dice is the mean over folds of each case's Dice: recompute it from the saved fold results.
        var unseen = result.Cases.Where(c => c.Role == "unseen").ToList();
        double single = unseen.Average(c => result.Folds.Average(f => f.Test.Single(t => t.Subject == c.Subject && t.Frame == c.Frame).MeanDice));
        double ensemble = unseen.Average(c => c.MeanDice);
        Assert.AreEqual(single, effects["unseen"].GetProperty("singleDice").GetProperty("mean").GetDouble(), 1e-9);
        Assert.AreEqual(ensemble - single, effects["unseen"].GetProperty("diceDelta").GetProperty("mean").GetDouble(), 1e-9);
        string html = File.ReadAllText(Path.Combine(ReportDir, "report.html"));
        StringAssert.Contains(html, "Cross-validation and ensemble");
        StringAssert.Contains(html, "ensemble − single");
    }

    [TestMethod]
    public void Run_Again_AfterAnInterruptedEnsemble_ReusesTheFinishedFolds()
    {
        Assert.AreEqual(0, _first.Code, _first.Output);
        string fold1 = Path.Combine(Unit, "fold-1", ExperimentRunner.FoldResultFile);
        DateTime written = File.GetLastWriteTimeUtc(fold1);
        string casesBefore = JsonSerializer.Serialize(Result().Cases);
        // As if the run had stopped after the folds, before the ensemble's result was complete.
        File.Delete(Path.Combine(ReportDir, "arms", "cv", "seed-1", "done.json"));

        (int code, string output) = CliRunner.Run(RunArgs);

        Assert.AreEqual(0, code, output);
        Assert.AreEqual(written, File.GetLastWriteTimeUtc(fold1), "a finished fold is not trained again");
        Assert.AreEqual(casesBefore, JsonSerializer.Serialize(Result().Cases), "the same fold models make the same ensemble");
    }
}
