using System.Text.Json;
using MLCardiac.Search;

namespace MLCardiac.Tests.Search;

[TestClass]
public sealed class SearchSpaceTests
{
    private const string Parameters = """
        {
          "lr":     { "type": "logUniform", "min": 0.0001, "max": 0.1 },
          "width":  { "type": "int", "min": 8, "max": 64, "log": true, "lowCost": 8, "default": 16 },
          "depth":  { "type": "int", "min": 2, "max": 5 },
          "mix":    { "type": "uniform", "min": -1, "max": 1 },
          "norm":   { "type": "choice", "values": ["instance", "batch", "group"], "default": "batch" },
          "dann":   { "type": "bool" },
          "lambda": { "type": "uniform", "min": 0.05, "max": 1, "when": { "dann": true } }
        }
        """;

    private static SearchSpace Parse(string json, string where = "space.json")
    {
        using var doc = JsonDocument.Parse(json);
        return SearchSpace.FromJson(doc.RootElement, where);
    }

    [TestMethod]
    public void Sample_ManyDraws_RespectRangesScalesAndConditions()
    {
        SearchSpace space = Parse(Parameters);
        var random = new Random(5);
        var draws = Enumerable.Range(0, 2000).Select(_ => space.Sample(random)).ToList();
        foreach (var d in draws)
        {
            space.Validate(d);
            Assert.AreEqual(d.GetBool("dann", false), d.ContainsKey("lambda"), d.ToString());
            Assert.IsInstanceOfType<int>(d["width"]);
        }
        // Log-uniform: the median of lr is near the geometric mean 1e-2.5, far below the arithmetic middle 0.05.
        double median = draws.Select(d => d.GetDouble("lr", 0)).Order().ElementAt(1000);
        Assert.IsTrue(median is > 0.002 and < 0.005, $"median {median}");
        CollectionAssert.AreEquivalent(new[] { 2, 3, 4, 5 }, draws.Select(d => d.GetInt("depth", 0)).Distinct().ToArray());
        CollectionAssert.AreEquivalent(new[] { "instance", "batch", "group" }, draws.Select(d => d.GetString("norm", "")).Distinct().ToArray());
        double dannShare = draws.Count(d => d.GetBool("dann", false)) / 2000.0;
        Assert.IsTrue(dannShare is > 0.45 and < 0.55, $"{dannShare}");
        Assert.IsTrue(draws.All(d => d.GetDouble("mix", 9) is >= -1 and <= 1));
    }

    [TestMethod]
    public void DefaultAndLowCost_UseDeclaredValuesAndConditions()
    {
        SearchSpace space = Parse(Parameters);
        var d = space.Default();
        Assert.AreEqual(16, d["width"]);
        Assert.AreEqual("batch", d["norm"]);
        Assert.IsFalse(d.ContainsKey("lambda"));
        Assert.AreEqual(8, space.LowCost()["width"]);
    }

    [TestMethod]
    public void UnitMapping_RoundTripsEveryValue()
    {
        SearchSpace space = Parse(Parameters);
        var random = new Random(9);
        for (int i = 0; i < 200; i++)
        {
            var a = space.Sample(random);
            var back = space.FromUnit(space.ToUnit(a));
            foreach (var (k, v) in a)
            {
                if (v is double dv) Assert.AreEqual(dv, back.GetDouble(k, double.NaN), Math.Abs(dv) * 1e-9 + 1e-12, k);
                else Assert.AreEqual(v, back[k], k);
            }
        }
    }

    [TestMethod]
    public void Assignment_JsonRoundTrip_IsExact()
    {
        SearchSpace space = Parse(Parameters);
        var a = space.Sample(new Random(3));
        var b = ParameterAssignment.FromJson(a.ToJson(), space);
        Assert.AreEqual(a, b);
        Assert.AreEqual(a.ToJson(), b.ToJson());
    }

    [TestMethod]
    [DataRow("""{ "a": { "type": "gaussian", "min": 0, "max": 1 } }""", "type \"gaussian\"")]
    [DataRow("""{ "a": { "type": "uniform", "max": 1 } }""", "\"min\" is missing")]
    [DataRow("""{ "a": { "type": "uniform", "min": 2, "max": 1 } }""", "min (2) must be ≤ max (1)")]
    [DataRow("""{ "a": { "type": "logUniform", "min": 0, "max": 1 } }""", "log scale needs min > 0")]
    [DataRow("""{ "a": { "type": "int", "min": 1, "max": 4, "default": 9 } }""", "default value 9 is outside")]
    [DataRow("""{ "a": { "type": "uniform", "min": 0, "max": 1, "when": { "b": true } } }""", "\"b\", which is not declared before it")]
    [DataRow("""{ "b": { "type": "bool" }, "a": { "type": "uniform", "min": 0, "max": 1, "when": { "b": 3 } } }""", "condition value 3 is not a value of \"b\"")]
    [DataRow("""{ "a": { "type": "choice" } }""", "needs \"values\"")]
    [DataRow("""{ "a": { "type": "uniform", "min": 0, "max": 1, "step": 0.1 } }""", "unknown field \"step\"")]
    public void FromJson_BadDeclaration_ThrowsNamingFileParameterAndProblem(string json, string expected)
    {
        var e = Assert.ThrowsExactly<MLCardiacException>(() => Parse(json, "pipelines/x.json"));
        StringAssert.Contains(e.Message, "pipelines/x.json");
        StringAssert.Contains(e.Message, "\"a\"");
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void FromOptions_SegmentationOptions_ReadsMlNetSearchSpaceAttributes()
    {
        // The attributes are Microsoft.ML.SearchSpace's, shipped inside Microsoft.ML.Core 5.0.1.
        Assert.AreEqual("Microsoft.ML.Core", typeof(Microsoft.ML.SearchSpace.RangeAttribute).Assembly.GetName().Name);
        SearchSpace space = SearchSpace.FromOptions<SegmentationSearchOptions>();
        var lr = space.Find("learningRate")!;
        Assert.AreEqual(ParameterKind.Real, lr.Kind);
        Assert.IsTrue(lr.Log);
        Assert.AreEqual(3e-4, lr.Min);
        Assert.AreEqual(2e-3, lr.Default);
        Assert.AreEqual(ParameterKind.Integer, space.Find("epochs")!.Kind);
        Assert.AreEqual(2, space.Find("epochs")!.LowCost);
        Assert.AreEqual(ParameterKind.Choice, space.Find("normalization")!.Kind);
        Assert.AreEqual(ParameterKind.Bool, space.Find("dann")!.Kind);
        Assert.AreEqual("dann", space.Find("maxLambda")!.Condition!.Parent);
        var d = space.Default();
        Assert.IsFalse(d.ContainsKey("maxLambda"));
        var options = SegmentationSearchOptions.Apply(d, new MLCardiac.ML.SegmentationPipelineOptions());
        Assert.AreEqual(6, options.Trainer.Epochs);
        Assert.AreEqual(16, options.Trainer.Network.BaseFilters);
        Assert.IsNull(options.Trainer.Dann);
        Assert.AreEqual("standard", options.Augmentation.Name);
    }

    [TestMethod]
    public void Apply_DannAndGroupNorm_MapToTrainerOptions()
    {
        var a = new ParameterAssignment(new Dictionary<string, object> { ["dann"] = true, ["maxLambda"] = 0.7, ["normalization"] = "group", ["baseFilters"] = 12, ["augmentation"] = "none" });
        var o = SegmentationSearchOptions.Apply(a, new MLCardiac.ML.SegmentationPipelineOptions());
        Assert.AreEqual(0.7, o.Trainer.Dann!.MaxLambda);
        Assert.AreEqual(MLCardiac.Models.NormalizationKind.Group, o.Trainer.Network.Normalization);
        Assert.AreEqual(6, o.Trainer.Network.Groups);   // largest divisor of 12 that is ≤ 8
        Assert.IsTrue(o.Augmentation.IsNone);
        var bad = new ParameterAssignment(new Dictionary<string, object> { ["colour"] = "red" });
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => SegmentationSearchOptions.Apply(bad, new())).Message, "\"colour\"");
    }

    [TestMethod]
    public void SearchDefinition_ShippedPipeline_LoadsWithBaseValuesAsDefaults()
    {
        string path = Path.Combine(RepoRoot(), "pipelines", "search-unet.json");
        var def = SearchDefinition.Load(path);
        Assert.AreEqual(TunerKind.CfoAsha, def.Tuner);
        CollectionAssert.AreEqual(new[] { "D" }, def.TestVendors.ToArray());
        var d = def.Space.Default();
        Assert.AreEqual(4, d["epochs"]);
        Assert.AreEqual(0.002, d.GetDouble("learningRate", 0));
        Assert.AreEqual("standard", d["augmentation"]);
    }

    [TestMethod]
    [DataRow("""{"testVendors":["A"]}""", "{}", "vendor \"A\" is also")]
    [DataRow("""{"testVendors":["C"]}""", """{"tuner":"bayes"}""", "search.tuner")]
    [DataRow("""{"testVendors":["C"]}""", """{"budget":{"time":"soon"}}""", "search.budget.time")]
    [DataRow("""{"testVendors":["C"]}""", """{"parameters":{"colour":{"type":"bool"}}}""", "\"colour\" is not an option")]
    [DataRow("""{"testVendors":["C"]}""", """{"parameters":{"dann":{"type":"bool"}}}""", "at least three")]
    [DataRow("""{"testVendors":["C"]}""", """{"serach":1}""", "unknown key \"$.search.serach\"")]
    public void SearchDefinition_BadFile_ThrowsNamingTheKey(string split, string search, string expected)
    {
        string json = $$"""
            { "schemaVersion": 1, "id": "p", "data": { "source": "path", "path": "d" },
              "split": { "trainVendors": ["A", "B"], {{split[1..^1]}} }, "seeds": [1], "search": {{search}} }
            """;
        var e = Assert.ThrowsExactly<MLCardiacException>(() => SearchDefinition.FromExperiment(MLCardiac.Experiments.ExperimentLoader.Parse(json, "p.json")));
        StringAssert.Contains(e.Message, "p.json");
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void ParseDuration_AcceptsUnitsAndRejectsText()
    {
        Assert.AreEqual(TimeSpan.FromMinutes(30), SearchBudget.ParseDuration("30m"));
        Assert.AreEqual(TimeSpan.FromMinutes(90), SearchBudget.ParseDuration("1h30m"));
        Assert.AreEqual(TimeSpan.FromSeconds(45), SearchBudget.ParseDuration("45s"));
        Assert.AreEqual(TimeSpan.FromMinutes(20), SearchBudget.ParseDuration("20"));
        Assert.ThrowsExactly<MLCardiacException>(() => SearchBudget.ParseDuration("soon"));
    }

    internal static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "MLCardiac.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("repository root not found");
    }
}
