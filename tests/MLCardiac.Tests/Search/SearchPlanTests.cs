using MLCardiac.Planning;
using MLCardiac.Search;

namespace MLCardiac.Tests.Search;

/// <summary>
/// <c>mlcardiac search</c> takes from the dataset's plan (<c>DATA/plans.json</c>) every plannable value its pipeline file
/// leaves unspecified, as <c>run</c> and <c>train</c> do — for the default pipeline and the space's defaults, and for a
/// worker that rebuilds the search from its manifest.
/// </summary>
[TestClass]
public sealed class SearchPlanTests
{
    private string _root = "";
    private string _data = "";

    [TestInitialize]
    public void Init()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-search-plan-" + Guid.NewGuid().ToString("N"));
        _data = Path.Combine(_root, "data");
        Directory.CreateDirectory(_data);
    }

    [TestCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    private string Pipeline(string preprocessing = "") => $$"""
        {
          "schemaVersion": 1, "id": "planned",
          "data": { "source": "path", "path": "{{_data.Replace("\\", "\\\\", StringComparison.Ordinal)}}" },
          "split": { "trainVendors": ["A", "B"], "testVendors": ["C"] },
          {{preprocessing}}
          "model": { "depth": 3 },
          "training": { "epochs": 2 },
          "search": { "budget": { "trials": 2 }, "parameters": { "baseFilters": { "type": "int", "min": 2, "max": 32 }, "learningRate": { "type": "logUniform", "min": 0.001, "max": 0.01 } } }
        }
        """;

    private static SearchDefinition Resolve(string json) =>
        new SearchManifest { PipelineFile = "planned.json", PipelineJson = json }.Definition().ResolveData();

    [TestMethod]
    public void ResolveData_NoPlan_DefaultsOfTheFileFormat()
    {
        SearchDefinition d = Resolve(Pipeline());

        Assert.AreEqual(128, d.Size);
        Assert.AreEqual(16, d.BaseOptions.Trainer.Network.BaseFilters);
        Assert.AreEqual(8, d.BaseOptions.Trainer.BatchSize);
        Assert.IsNull(d.Experiment!.PlanFile);
        Assert.AreEqual(_data, d.DataPath);
    }

    [TestMethod]
    public void ResolveData_FileLeavesSizeSpacingWidthAndBatchOpen_TakesThemFromThePlan_TheFilesDepthWins()
    {
        new TrainingPlan { SpacingMm = 3.0, Size = 48, Depth = 4, BaseFilters = 4, BatchSize = 3, Reasons = ["test"] }.Save(Path.Combine(_data, TrainingPlan.FileName));

        SearchDefinition d = Resolve(Pipeline());

        Assert.AreEqual((48, 3.0), (d.Size, d.SpacingMm), "slices from the plan");
        Assert.AreEqual(4, d.BaseOptions.Trainer.Network.BaseFilters, "width from the plan");
        Assert.AreEqual(3, d.BaseOptions.Trainer.Network.Depth, "the file gives the depth");
        Assert.AreEqual(3, d.BaseOptions.Trainer.BatchSize, "batch from the plan");
        Assert.AreEqual(4, Convert.ToInt32(d.Space.Find("baseFilters")!.Default, System.Globalization.CultureInfo.InvariantCulture), "the searched width's default is the default pipeline's, the plan's");
        Assert.AreEqual(Path.Combine(_data, TrainingPlan.FileName), d.Experiment!.PlanFile);
        Assert.AreEqual(_data, d.DataPath);
    }

    [TestMethod]
    public void ResolveData_FileGivesTheSize_KeepsIt_AndAPlanThatDoesNotFitTheDepthIsRefusedNamingThePlan()
    {
        new TrainingPlan { SpacingMm = 3.0, Size = 48, Depth = 4, BaseFilters = 4, BatchSize = 3, Reasons = ["test"] }.Save(Path.Combine(_data, TrainingPlan.FileName));

        SearchDefinition d = Resolve(Pipeline("\"preprocessing\": { \"size\": 64 },"));

        Assert.AreEqual((64, 3.0), (d.Size, d.SpacingMm), "size from the file, spacing from the plan");

        new TrainingPlan { SpacingMm = 3.0, Size = 52, Depth = 2, BaseFilters = 4, BatchSize = 3, Reasons = ["test"] }.Save(Path.Combine(_data, TrainingPlan.FileName));
        var e = Assert.ThrowsExactly<MLCardiacException>(() => Resolve(Pipeline()));
        StringAssert.StartsWith(e.Message, Path.Combine(_data, TrainingPlan.FileName) + ": $.model.depth 3 needs a slice size that is a multiple of 8");
    }
}
