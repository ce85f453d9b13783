using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Search;
using MLCardiac.Tests.Data;

namespace MLCardiac.Tests.Search;

/// <summary>
/// The refit of a search's best pipeline: fitted through the ML.NET catalog, saved as model.zip, read back and tested
/// on the test vendors — the reported numbers are those of the file. A tiny real search (64×64 synthetic, 2 trials).
/// </summary>
[TestClass]
public sealed class SearchRefitTests
{
    private static string _dir = "";
    private static SearchDefinition _definition = null!;

    [ClassInitialize]
    public static void WriteDataset(TestContext context)
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlcardiac-refit-" + Guid.NewGuid().ToString("N"));
        new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(Path.Combine(_dir, "data"), new SyntheticDatasetRequest
        {
            Vendors = [VendorProfiles.A, VendorProfiles.B, VendorProfiles.D],
            SubjectsPerVendor = 2,
        });
        string json = $$"""
            {
              "schemaVersion": 1, "id": "refit",
              "data": { "source": "path", "path": "{{Path.Combine(_dir, "data").Replace("\\", "/", StringComparison.Ordinal)}}" },
              "split": { "trainVendors": ["A", "B"], "testVendors": ["D"] },
              "preprocessing": { "size": 64, "spacingMm": 2.5 },
              "model": { "baseFilters": 8, "depth": 3 },
              "training": { "epochs": 4, "batchSize": 8, "learningRate": 0.003, "iterationsPerEpoch": 12 },
              "augmentation": "standard",
              "seeds": [1],
              "search": {
                "tuner": "random", "seed": 2, "budget": { "trials": 2 }, "validation": { "slices": 8 },
                "parameters": { "learningRate": { "type": "logUniform", "min": 0.002, "max": 0.006 } }
              }
            }
            """;
        _definition = SearchDefinition.FromExperiment(MLCardiac.Experiments.ExperimentLoader.Parse(json, "refit.json"));
    }

    [ClassCleanup]
    public static void DeleteDataset() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public async Task Refit_TinySearch_SavesModelZipWhoseLoadedPredictionsGiveTheReportedDice()
    {
        string models = Path.Combine(_dir, "models"), reports = Path.Combine(_dir, "reports");
        var objective = new SegmentationTrialObjective(_definition);
        SearchResult result = await new SearchExperiment(objective)
            .SetSearchSpace(_definition.Space)
            .SetTuner(_definition.Tuner, _definition.Seed)
            .SetBudget(_definition.Budget)
            .SetEpochs(_definition.BaseOptions.Trainer.Epochs)
            .SetStore(new SqliteTrialStore(Path.Combine(_dir, "trials.db")), "refit")
            .SetRefit(models)
            .RunAsync();

        RefitResult refit = result.BestRefit ?? throw new AssertFailedException("no refit");
        string modelFile = Path.Combine(models, "best", SegmentationTrialObjective.ModelFile);
        Assert.AreEqual(modelFile, refit.ModelFile);
        Assert.IsTrue(File.Exists(modelFile));
        Assert.AreEqual(new FileInfo(modelFile).Length, refit.ModelBytes);
        StringAssert.StartsWith(refit.Pipeline, "LoadNifti → Preprocess(64 px, 2.5 mm) → Augment(standard) → UNet");
        Assert.IsEmpty(Directory.GetDirectories(models).Where(d => Path.GetFileName(d).StartsWith('.')), "no staging folder is left");

        // A fresh context loads the file and segments a test-vendor volume held in memory through a PredictionEngine.
        CaseRecord testCase = DatasetLayouts.Load(_definition.DataPath).Records.First(r => r.Vendor == "D" && r.IsLabeled);
        var ml = new MLContext(seed: 5);
        var cardiac = ml.CardiacSegmentation();
        TransformerChain<ITransformer> loaded = cardiac.LoadModel(modelFile, out _);
        byte[] predicted;
        Volume image = NiftiReader.Read(testCase.ImagePath);
        var s = image.SpacingMm;
        float[] mm = [(float)s.X, (float)s.Y, (float)s.Z];
        try
        {
            using var engine = ml.Model.CreatePredictionEngine<VolumeInput, SegmentationOutput>(cardiac.WithoutLoader(loaded), new PredictionEngineOptions { OwnsTransformer = false });
            predicted = engine.Predict(new VolumeInput { Image = image.Frame(testCase.ImageFrame).ToArray(), ImageShape = [image.SizeX, image.SizeY, image.SizeZ], SpacingMm = mm }).PredictedLabel;
        }
        finally
        {
            foreach (var stage in loaded.OfType<IDisposable>()) stage.Dispose();
        }
        Assert.HasCount(image.VoxelsPerFrame, predicted);
        float[] truth = NiftiReader.Read(testCase.LabelPath!).Frame(testCase.LabelFrame).ToArray();
        testCase.ToOurLabels(truth);
        float[] labels = [.. predicted.Select(v => (float)v)];
        double Dice(int structure) => OverlapMetrics.Compute(labels, truth, structure, image.SizeX, image.SizeY, image.SizeZ, mm[0], mm[1], mm[2]).Dice;

        RefitCase reported = refit.Cases.Single(c => c.Subject == testCase.Subject && c.Frame == testCase.Role.ToString());
        Assert.AreEqual(reported.Lv, Dice(1), 1e-12, "LV Dice of the loaded file equals the reported one");
        Assert.AreEqual(reported.Myo, Dice(2), 1e-12);
        Assert.AreEqual(reported.Rv, Dice(3), 1e-12);
        Assert.IsGreaterThan(0.0, reported.Lv, "the refitted model finds the LV");
        Assert.AreEqual(refit.Cases.Count, DatasetLayouts.Load(_definition.DataPath).Records.Count(r => r.Vendor == "D" && r.IsLabeled));
        Assert.AreEqual(refit.Cases.Average(c => c.Lv), refit.TestMetrics["D/lv"], 1e-12);
        Assert.AreEqual(refit.Cases.Average(c => c.MeanDice), refit.TestMetrics["test/meanDice"], 1e-12);

        // predict, serve and export read the same file (its folder resolves to it).
        using (var saved = CardiacModel.Load(Path.Combine(models, "best"), SegmentationBackend.TorchSharp))
            Assert.AreEqual(8, saved.Segmentation!.Model.Description.Network.BaseFilters);

        // The report names the file and shows its test results.
        SearchReport.Write(reports, result, _definition.Space, "refit");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(reports, SearchReport.JsonFile)));
        var bestRefit = summary.RootElement.GetProperty("bestRefit");
        Assert.AreEqual(modelFile, bestRefit.GetProperty("ModelFile").GetString());
        Assert.AreEqual(refit.TestMetrics["D/meanDice"], bestRefit.GetProperty("TestMetrics").GetProperty("D/meanDice").GetDouble(), 1e-12);
        string html = File.ReadAllText(Path.Combine(reports, SearchReport.HtmlFile));
        StringAssert.Contains(html, System.Net.WebUtility.HtmlEncode(modelFile));
        StringAssert.Contains(html, refit.TestMetrics["D/meanDice"].ToString("F4", System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public void Refit_CancelledDuringTraining_WritesNoModelFile()
    {
        string directory = Path.Combine(_dir, "cancelled", "best");
        using var cts = new CancellationTokenSource();
        var objective = new SegmentationTrialObjective(_definition);
        var lines = new List<string>();
        var progress = new InlineProgress(line =>
        {
            lines.Add(line);
            if (line.StartsWith("refit epoch 1/", StringComparison.Ordinal)) cts.Cancel();
        });

        Assert.ThrowsExactly<OperationCanceledException>(() => objective.Refit(_definition.Space.Default(), directory, progress, cts.Token));

        Assert.IsTrue(lines.Any(l => l.StartsWith("refit epoch 1/", StringComparison.Ordinal)), "training had started");
        Assert.IsFalse(File.Exists(Path.Combine(directory, SegmentationTrialObjective.ModelFile)));
        Assert.IsFalse(Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any(), "nothing written into the model folder");
        Assert.IsEmpty(Directory.GetFileSystemEntries(Path.GetDirectoryName(directory)!), "no staging folder is left");
    }

    [TestMethod]
    public void Objective_Trial_ReportsEveryEpochStopsWhenTheSchedulerSaysSoAndPreparesOnce()
    {
        var objective = new SegmentationTrialObjective(_definition, cache: new MLCardiac.ML.PreparedSliceCache(Path.Combine(_dir, "prepared")));
        var defaults = _definition.Space.Default();
        var reported = new List<(int Epoch, double Metric)>();
        var full = new TrialContext(0, defaults, 3, 1, 0, (epoch, metric) => { reported.Add((epoch, metric)); return true; });

        TrialEvaluation e = objective.Evaluate(full, CancellationToken.None);

        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, reported.Select(r => r.Epoch).ToArray(), "one report per epoch");
        Assert.IsTrue(e.Metric is > 0 and <= 1, $"validation Dice {e.Metric}");
        Assert.AreEqual(reported.Max(r => r.Metric), e.Metric, 1e-12, "the trial's metric is its best epoch's");
        Assert.IsTrue(e.Details!.ContainsKey("fold0:A/meanDice"));
        long readOnce = objective.Cache.Misses;
        Assert.IsGreaterThan(0L, readOnce, "the first trial reads and preprocesses its cases");

        // The scheduler stops the trial at epoch 1: the trainer is cancelled there and the trial returns what it has.
        var stopped = new TrialContext(1, defaults, 3, 1, 0, (epoch, metric) => false);
        TrialEvaluation s = objective.Evaluate(stopped, CancellationToken.None);
        Assert.IsTrue(stopped.StopRequested);
        Assert.AreEqual(1, stopped.Last!.Value.Epoch);
        Assert.AreEqual(stopped.Last!.Value.Metric, s.Metric, "a stopped trial's metric is what it reported at the stop");
        Assert.AreEqual(readOnce, objective.Cache.Misses, "the second trial takes every case from the cache");

        // A new process (a new objective, its memory empty) takes them from the cache folder.
        var again = new SegmentationTrialObjective(_definition, cache: new MLCardiac.ML.PreparedSliceCache(Path.Combine(_dir, "prepared")));
        again.Evaluate(new TrialContext(2, defaults, 1, 1, 0, (_, _) => true), CancellationToken.None);
        Assert.AreEqual(0L, again.Cache.Misses, "reruns read the prepared slices from disk");
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class InlineProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
