using System.Text.Json;
using MLCardiac.Experiments;
using MLCardiac.Search;
using MLCardiac.Tests.Cli;

namespace MLCardiac.Tests.Search;

/// <summary>
/// The search section of the study's pipeline schema: a study-format file with a <c>search</c> section gives the same
/// search as the search-only format; errors name the key; <c>mlcardiac run</c> and <c>mlcardiac search</c> each refuse
/// the file that is not theirs with one clear line.
/// </summary>
[TestClass]
public sealed class SearchDefinitionTests
{
    private const string SearchSection = """
        "search": {
          "tuner": "asha", "seed": 4, "budget": { "trials": 9, "time": "5m" }, "concurrency": 2, "includeDefault": true,
          "asha": { "minEpochs": 1, "reductionFactor": 2 },
          "validation": { "folds": 2, "slices": 16 },
          "base": { "normalization": "batch", "crossEntropyWeight": 0.5, "weightDecay": 0.001 },
          "parameters": {
            "learningRate": { "type": "logUniform", "min": 0.001, "max": 0.01 },
            "dann": { "type": "bool" },
            "maxLambda": { "type": "logUniform", "min": 0.05, "max": 1.0, "when": { "dann": true } }
          }
        }
        """;

    private static readonly string Study = $$"""
        {
          "schemaVersion": 1, "id": "s1",
          "data": { "source": "path", "path": "some/data" },
          "split": { "trainVendors": ["A", "B", "C"], "testVendors": ["D"] },
          "preprocessing": { "size": 96, "spacingMm": 1.5 },
          "model": { "type": "dann", "baseFilters": 12, "depth": 3, "maxLambda": 0.2 },
          "training": { "epochs": 5, "iterationsPerEpoch": 7, "batchSize": 6, "learningRate": 0.003, "threads": 1 },
          "augmentation": "heavy",
          "seeds": [3],
          {{SearchSection}},
          "profiles": { "quick": { "search": { "budget": { "trials": 2 } }, "training": { "epochs": 2 } } }
        }
        """;

    // The same search in the search-only format.
    private static readonly string SearchOnly = $$"""
        {
          "schemaVersion": 1, "name": "s1",
          "data": { "path": "some/data", "size": 96, "spacingMm": 1.5 },
          "split": { "trainVendors": ["A", "B", "C"], "testVendors": ["D"], "folds": 2, "validationSlices": 16 },
          "base": { "epochs": 5, "iterationsPerEpoch": 7, "batchSize": 6, "learningRate": 0.003, "threads": 1, "seed": 3,
                    "baseFilters": 12, "depth": 3, "dann": true, "maxLambda": 0.2, "augmentation": "heavy",
                    "normalization": "batch", "crossEntropyWeight": 0.5, "weightDecay": 0.001 },
          {{SearchSection
              .Replace("\"validation\": { \"folds\": 2, \"slices\": 16 },", "", StringComparison.Ordinal)
              .Replace("\"base\": { \"normalization\": \"batch\", \"crossEntropyWeight\": 0.5, \"weightDecay\": 0.001 },", "", StringComparison.Ordinal)}}
        }
        """;

    private static SearchDefinition FromStudy(string json, string? profile = null) =>
        SearchDefinition.FromExperiment(ExperimentLoader.Parse(json, "p.json", profile));

    private static SearchDefinition FromSearchOnly(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return SearchDefinition.Parse(doc.RootElement, "p.json", "p");
    }

    [TestMethod]
    public void FromExperiment_StudyFormat_SameSearchAsTheSearchOnlyFormat()
    {
        SearchDefinition a = FromStudy(Study), b = FromSearchOnly(SearchOnly);

        Assert.AreEqual(b.BaseOptions, a.BaseOptions, "the default pipeline: model, training, augmentation and seed from the study keys, the rest from search.base");
        Assert.AreEqual(0.2, a.BaseOptions.Dann!.MaxLambda);
        Assert.AreEqual(MLCardiac.Models.NormalizationKind.Batch, a.BaseOptions.Network.Normalization);
        Assert.AreEqual(JsonSerializer.Serialize(b.Space.Parameters), JsonSerializer.Serialize(a.Space.Parameters));
        Assert.AreEqual(true, a.Space.Default()["dann"], "the default of a parameter without one is the base pipeline's value");
        Assert.AreEqual("s1", a.Name);
        Assert.AreEqual("some/data", a.DataPath);
        Assert.AreEqual((96, 1.5), (a.Size, a.SpacingMm));
        Assert.AreEqual((2, 16), (a.Folds, a.ValidationSlices));
        CollectionAssert.AreEqual(b.TrainVendors.ToArray(), a.TrainVendors.ToArray());
        CollectionAssert.AreEqual(new[] { "D" }, a.TestVendors.ToArray());
        Assert.AreEqual(b.Budget, a.Budget);
        Assert.AreEqual((TunerKind.Asha, 4, 2, 1, 2.0), (a.Tuner, a.Seed, a.Concurrency, a.AshaMinEpochs, a.AshaReductionFactor));
        Assert.IsNotNull(a.Experiment);
        Assert.IsNull(b.Experiment);
    }

    [TestMethod]
    public void FromExperiment_Profile_MergesIntoTheSearchSection()
    {
        SearchDefinition quick = FromStudy(Study, "quick");
        Assert.AreEqual(2, quick.Budget.MaxTrials);
        Assert.AreEqual(TimeSpan.FromMinutes(5), quick.Budget.WallTime, "keys the profile does not give are kept");
        Assert.AreEqual(2, quick.BaseOptions.Epochs);
    }

    [TestMethod]
    public void Load_ShippedPipeline_IsStudyFormatWithSyntheticData()
    {
        string path = Path.Combine(MLCardiac.Tests.Experiments.ExperimentLoaderTests.RepositoryRoot(), "pipelines", "search-unet.json");
        SearchDefinition d = SearchDefinition.Load(path);
        Assert.AreEqual("synthetic", d.Experiment!.Data.Source);
        Assert.AreEqual("", d.DataPath, "synthetic data is generated by ResolveData, not by Load");
        Assert.AreEqual(48, d.ValidationSlices);
        Assert.AreEqual(TimeSpan.FromMinutes(6), SearchDefinition.Load(path, "quick").Budget.WallTime);
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => SearchDefinition.Load(path, "nope")).Message, "no profile \"nope\"");
    }

    [TestMethod]
    [DataRow("\"search\": {", "\"search\": { \"colour\": 1,", "unknown key \"$.search.colour\"")]
    [DataRow("\"validation\": { \"folds\": 2,", "\"validation\": { \"foldz\": 2,", "unknown key \"$.search.validation.foldz\"")]
    [DataRow("\"base\": { \"normalization\": \"batch\",", "\"base\": { \"epochs\": 3,", "$.search.base.epochs: set it in $.training.epochs")]
    [DataRow("\"base\": { \"normalization\": \"batch\",", "\"base\": { \"colour\": 3,", "unknown key \"$.search.base.colour\"")]
    [DataRow("\"tuner\": \"asha\"", "\"tuner\": \"bayes\"", "$.search.tuner")]
    [DataRow("\"testVendors\": [\"D\"]", "\"testVendors\": []", "$.split.testVendors: a search needs the vendors of its final test")]
    [DataRow("\"testVendors\": [\"D\"]", "\"testVendors\": [\"C\"]", "vendor \"C\" is also a training vendor")]
    [DataRow("\"augmentation\": \"heavy\"", "\"augmentation\": \"spatial\"", "$.augmentation: \"spatial\" is one family")]
    [DataRow("\"seeds\": [3]", "\"seeds\": [3, 4]", "$.seeds: a search trains every trial with one seed")]
    [DataRow("\"seeds\": [3]", "\"seeds\": [3], \"vendorClassifier\": { \"epochs\": 2 }", "$.vendorClassifier: is read by a study's arms only")]
    [DataRow("\"testVendors\": [\"D\"]", "\"testVendors\": [\"D\"], \"testFraction\": 0.3", "$.split.testFraction: is read by a study's arms only")]
    [DataRow("\"seeds\": [3]", "\"seeds\": [3], \"serach\": {}", "$.serach: unknown key. Did you mean \"search\"?")]
    public void FromExperiment_BadKey_ErrorNamesFileAndKey(string find, string replace, string expected)
    {
        Assert.Contains(find, Study, "the test edits an existing piece of the file");
        var e = Assert.ThrowsExactly<MLCardiacException>(() => FromStudy(Study.Replace(find, replace, StringComparison.Ordinal)));
        StringAssert.Contains(e.Message, "p.json");
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void StudyWithArmsAndSearch_RunAndSearchBothReadIt()
    {
        string both = Study.Replace("\"seeds\": [3],", "\"seeds\": [3], \"arms\": [ { \"name\": \"a\" } ],", StringComparison.Ordinal);
        ExperimentDefinition x = ExperimentLoader.Parse(both, "p.json");
        Assert.HasCount(1, x.Arms);
        Assert.AreEqual(9, SearchDefinition.FromExperiment(x).Budget.MaxTrials);
    }

    [TestMethod]
    public void Cli_EachCommandRefusesTheOtherCommandsFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-searchdef-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string searchOnly = Path.Combine(dir, "s.json");
            File.WriteAllText(searchOnly, Study);
            (int code, string output) = CliRunner.Run("run", searchOnly, "--out-reports", Path.Combine(dir, "r"), "--out-models", Path.Combine(dir, "m"));
            Assert.AreEqual(1, code, output);
            StringAssert.Contains(output, "declares a search and no arms");

            string study = Path.Combine(MLCardiac.Tests.Experiments.ExperimentLoaderTests.RepositoryRoot(), "pipelines", "generalization-study.json");
            (code, output) = CliRunner.Run("search", study, "--reports", Path.Combine(dir, "r"));
            Assert.AreEqual(1, code, output);
            StringAssert.Contains(output, "$.search: missing");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
