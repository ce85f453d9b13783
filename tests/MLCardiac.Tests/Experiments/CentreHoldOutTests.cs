using MLCardiac.Experiments;
using MLCardiac.Tests.Cli;

namespace MLCardiac.Tests.Experiments;

/// <summary>
/// <c>split.trainCentres</c>: a centre held out while its vendor's other centre trains (the phantom's vendor A has centres
/// 1 and 6, vendor B centres 2 and 3) — its cases are tested as never seen, and the fit reads none of its subjects.
/// </summary>
[TestClass]
public sealed class CentreHoldOutTests
{
    private const string Study = """
        {
          "schemaVersion": 1, "id": "centres",
          "data": { "synthetic": { "seed": 99, "subjectsPerVendor": 8, "vendors": ["A", "B"], "minFrames": 4, "maxFrames": 6 } },
          "split": { "trainVendors": ["A", "B"], "trainCentres": ["1", "2", "3"], "testFraction": 0.5, "validationFraction": 0.25 },
          "preprocessing": { "size": 64, "spacingMm": 2.5 },
          "model": { "baseFilters": 4, "depth": 2 },
          "training": { "epochs": 1, "iterationsPerEpoch": 2, "batchSize": 2 },
          "figures": [],
          "arms": [ { "name": "held-out-6" } ]
        }
        """;

    [TestMethod]
    public void Run_HoldsACentreOut_ItsCasesAreUnseen_AndTheFitReadsNoneOfItsSubjects()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlcardiac-centres-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            string file = Path.Combine(root, "centres.json");
            File.WriteAllText(file, Study);
            string[] Args(string f) => ["run", f, "--data", Path.Combine(root, "data"), "--out-models", Path.Combine(root, "models"), "--out-reports", Path.Combine(root, "reports")];

            (int code, string output) = CliRunner.Run(Args(file));

            Assert.AreEqual(0, code, output);
            var result = StudyResults.Read<ArmRunResult>(Path.Combine(root, "reports", "centres", "arms", "held-out-6", "seed-1", StudyResults.ResultFile));
            Assert.IsNotNull(result.SubjectsReadByCentre);
            Assert.IsFalse(result.SubjectsReadByCentre.ContainsKey("6"), $"read per centre: {string.Join(", ", result.SubjectsReadByCentre)}");
            Assert.IsTrue(result.SubjectsReadByCentre.ContainsKey("1"));
            var heldOut = result.Cases.Where(c => c.Vendor == "A" && c.Centre == "6").ToList();
            var kept = result.Cases.Where(c => c.Vendor == "A" && c.Centre == "1").ToList();
            Assert.IsNotEmpty(heldOut, "the test set has cases of the held-out centre");
            Assert.IsNotEmpty(kept);
            Assert.IsTrue(heldOut.All(c => c.Role == "unseen"), "vendor A's held-out centre is a new site");
            Assert.IsTrue(kept.All(c => c.Role == "seen"));

            string wrong = Path.Combine(root, "wrong.json");
            File.WriteAllText(wrong, Study.Replace("\"id\": \"centres\"", "\"id\": \"wrong\"").Replace("[\"1\", \"2\", \"3\"]", "[\"1\", \"9\"]"));
            (code, output) = CliRunner.Run(Args(wrong));
            Assert.AreEqual(1, code, output);
            StringAssert.Contains(output, "no labeled subject of its training vendors (A, B) comes from centre \"9\"");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [TestMethod]
    public void Loader_TrainCentres_EmptyOrRepeated_NamesTheKey()
    {
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => ExperimentLoader.Parse(Study.Replace("[\"1\", \"2\", \"3\"]", "[]"), "c.json")).Message, "$.split.trainCentres");
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => ExperimentLoader.Parse(Study.Replace("[\"1\", \"2\", \"3\"]", "[\"1\", \"1\"]"), "c.json")).Message, "repeated centre");
        ExperimentDefinition x = ExperimentLoader.Parse(Study.Replace("{ \"name\": \"held-out-6\" }", "{ \"name\": \"all\", \"trainCentres\": [\"1\", \"6\"] }"), "c.json");
        CollectionAssert.AreEqual(new[] { "1", "6" }, x.Arms[0].TrainCentres!.ToArray(), "an arm overrides the split's centres");
        Assert.IsNull(ExperimentLoader.Parse(Study.Replace("\"trainCentres\": [\"1\", \"2\", \"3\"], ", ""), "c.json").Split.TrainCentres, "absent: every centre");
    }
}
