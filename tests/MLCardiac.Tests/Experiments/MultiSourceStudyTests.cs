using System.Text.Json;
using MLCardiac.Experiments;
using MLCardiac.Tests.Cli;

namespace MLCardiac.Tests.Experiments;

/// <summary>
/// <c>mlcardiac run</c> on a tiny study over two synthetic cohorts with different scanner profiles (the second adds a
/// vendor of its own profile file and shares vendor A's code with the first): one arm holds the second source out, the
/// other trains on both. Run once for the class.
/// </summary>
[TestClass]
public sealed class MultiSourceStudyTests
{
    private static string _root = "";
    private static (int Code, string Output) _run;

    private static string ReportDir => Path.Combine(_root, "reports", "sources");

    private const string Study = """
        {
          "schemaVersion": 1, "id": "sources",
          "data": [
            { "name": "north", "synthetic": { "seed": 1234, "subjectsPerVendor": 3, "vendors": ["A", "B"], "minFrames": 4, "maxFrames": 6 } },
            { "name": "south", "synthetic": { "seed": 99, "subjectsPerVendor": 3, "vendors": ["A", "E"], "profiles": "south-scanners.json", "minFrames": 4, "maxFrames": 6 } }
          ],
          "split": { "trainVendors": ["A", "B"], "trainSources": ["north"], "testFraction": 0.34, "validationFraction": 0.34 },
          "preprocessing": { "size": 64, "spacingMm": 2.5 },
          "model": { "baseFilters": 4, "depth": 3 },
          "training": { "epochs": 1, "iterationsPerEpoch": 2, "batchSize": 2 },
          "figures": ["dicePerVendor"],
          "bootstrapResamples": 100,
          "arms": [ { "name": "north-only", "augmentation": "none" }, { "name": "both", "augmentation": "none", "trainSources": ["north", "south"] } ]
        }
        """;

    [ClassInitialize]
    public static void RunStudy(TestContext context)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlcardiac-sources-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "south-scanners.json"), """{ "vendors": [ { "code": "E", "basedOn": "C", "vendorName": "GE-like 3T" } ] }""");
        string experiment = Path.Combine(_root, "sources.json");
        File.WriteAllText(experiment, Study);
        _run = CliRunner.Run("run", experiment, "--data", Path.Combine(_root, "data"), "--out-models", Path.Combine(_root, "models"), "--out-reports", Path.Combine(_root, "reports"));
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(_root, recursive: true);

    private static ArmRunResult Result(string arm) => StudyResults.Read<ArmRunResult>(Path.Combine(ReportDir, "arms", arm, "seed-1", StudyResults.ResultFile));

    [TestMethod]
    public void Run_TwoSyntheticSources_EachGeneratedIntoItsOwnFolderWithItsOwnProfiles()
    {
        Assert.AreEqual(0, _run.Code, _run.Output);
        string north = File.ReadAllText(Path.Combine(_root, "data", "north", ExperimentRunner.SyntheticParametersFile));
        string south = File.ReadAllText(Path.Combine(_root, "data", "south", ExperimentRunner.SyntheticParametersFile));
        StringAssert.Contains(south, "south-scanners.json");
        Assert.IsFalse(north.Contains("south-scanners.json", StringComparison.Ordinal));
    }

    [TestMethod]
    public void Run_HeldOutSource_IsTestedAndNeverTrainedOn_ItsCasesAreUnseenEvenForATrainedVendor()
    {
        Assert.AreEqual(0, _run.Code, _run.Output);
        ArmRunResult northOnly = Result("north-only");
        Assert.AreEqual(0, northOnly.SubjectsReadBySource!["south"], "no scan of the held-out source was read by the fit");
        Assert.AreEqual(4, northOnly.SubjectsReadBySource["north"], "north: two vendors × (3 − 1 held out) subjects, training and validation");

        var south = northOnly.Cases.Where(c => c.Source == "south").ToList();
        Assert.HasCount(4, south, "one held-out subject of each south vendor, ED and ES");
        Assert.IsTrue(south.All(c => c.Role == "unseen" && c.Subject.StartsWith("south/", StringComparison.Ordinal)));
        Assert.IsTrue(south.Any(c => c.Vendor == "A"), "vendor A of the held-out source is tested, and unseen");
        var north = northOnly.Cases.Where(c => c.Source == "north").ToList();
        Assert.HasCount(4, north);
        Assert.IsTrue(north.All(c => c.Role == "seen"));

        // The arm that trains on both sources has seen south's vendor A, not its own vendor E.
        ArmRunResult both = Result("both");
        Assert.IsGreaterThan(0, both.SubjectsReadBySource!["south"]);
        CollectionAssert.AreEquivalent(new[] { ("A", "seen"), ("E", "unseen") },
            both.Cases.Where(c => c.Source == "south").Select(c => (c.Vendor, c.Role)).Distinct().ToArray());
        CollectionAssert.AreEquivalent(northOnly.Cases.Select(c => (c.Subject, c.Frame)).ToArray(), both.Cases.Select(c => (c.Subject, c.Frame)).ToArray(),
            "every arm is tested on the same cases");
    }

    [TestMethod]
    public void Run_TwoSources_MetricsAndReportGroupBySource()
    {
        Assert.AreEqual(0, _run.Code, _run.Output);
        using JsonDocument metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReportDir, "metrics.json")));
        JsonElement arm = metrics.RootElement.GetProperty("arms")[0];
        Assert.AreEqual("north-only", arm.GetProperty("arm").GetString());
        var groups = arm.GetProperty("bySource").EnumerateArray()
            .Select(g => (Group: g.GetProperty("group").GetString(), Kind: g.GetProperty("kind").GetString(), Role: g.GetProperty("role").GetString(), Cases: g.GetProperty("cases").GetInt32())).ToList();
        CollectionAssert.AreEqual(new[] { ("north", "source", "seen", 4), ("south", "source", "unseen", 4) }, groups.ToArray());

        string html = File.ReadAllText(Path.Combine(ReportDir, "report.html"));
        StringAssert.Contains(html, "Per data source");
        StringAssert.Contains(html, "trained on north");
        string[] csv = File.ReadAllLines(Path.Combine(ReportDir, "cases.csv"));
        StringAssert.EndsWith(csv[0], ",source");
        Assert.IsTrue(csv.Skip(1).Where(l => l.Contains(",south/", StringComparison.Ordinal)).All(l => l.EndsWith(",south", StringComparison.Ordinal)));
    }
}
