using System.Text;
using MLCardiac.Experiments;
using MLCardiac.Search;

namespace MLCardiac.Tests.Experiments;

/// <summary>
/// A distributed study's unit records (<see cref="UnitOutputs"/>) against the files they vouch for, and the report's refusal of
/// a study whose records do not hold (<see cref="DistributedStudy.Results"/>); no training: files and store rows made here.
/// </summary>
[TestClass]
public sealed class UnitOutputsTests
{
    private string _root = "";
    private StudySettings _settings = null!;

    [TestInitialize]
    public void MakeRoots()
    {
        _root = Directory.CreateTempSubdirectory("mlcardiac-outputs-").FullName;
        _settings = new StudySettings
        {
            PipelineFile = Path.Combine(_root, "tiny.json"),
            ModelsRoot = Path.Combine(_root, "models"),
            ReportsRoot = Path.Combine(_root, "reports"),
        };
    }

    [TestCleanup]
    public void Delete()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A unit's model file and result file on disk, and its record.</summary>
    private UnitOutputs Unit(string result = "{\"arm\": \"first\"}")
    {
        string model = Path.Combine(_settings.ModelsRoot, "tiny", "first", "seed-1", "model.zip");
        string resultFile = Path.Combine(_settings.ReportsRoot, "tiny", "arms", "first", "seed-1", "result.json");
        Directory.CreateDirectory(Path.GetDirectoryName(model)!);
        Directory.CreateDirectory(Path.GetDirectoryName(resultFile)!);
        File.WriteAllBytes(model, [1, 2, 3, 4, 5]);
        File.WriteAllText(resultFile, result);
        return new UnitOutputs
        {
            Unit = "first/seed-1",
            Experiment = "{}",
            Result = result,
            Files =
            [
                new("models/tiny/first/seed-1/model.zip", UnitOutputs.Sha256(model), 5, ArtifactFile.ModelKind),
                new("reports/tiny/arms/first/seed-1/result.json", UnitOutputs.Sha256(resultFile), Encoding.UTF8.GetByteCount(result), ArtifactFile.ResultKind),
            ],
        };
    }

    [TestMethod]
    public void Verify_FilesAsRecorded_Passes_AndAResultFileGoneWithItsReportFolderIsNotNeeded()
    {
        UnitOutputs unit = Unit();
        unit.Verify(_settings, "store.db");
        Directory.Delete(_settings.ReportsRoot, recursive: true);
        unit.Verify(_settings, "store.db");
    }

    [TestMethod]
    public void Verify_ModelFileChanged_RefusedInOneLineNamingTheFile()
    {
        UnitOutputs unit = Unit();
        string model = unit.Files[0].Resolve(_settings);
        File.WriteAllBytes(model, [1, 2, 3, 4, 6]);
        var e = Assert.ThrowsExactly<MLCardiacException>(() => unit.Verify(_settings, "store.db"));
        StringAssert.StartsWith(e.Message, model + ": SHA-256 ");
        StringAssert.Contains(e.Message, "\"first/seed-1\" recorded in store.db");
        Assert.DoesNotContain("\n", e.Message);
    }

    [TestMethod]
    public void Verify_ModelFileMissing_RefusedNamingTheFile()
    {
        UnitOutputs unit = Unit();
        string model = unit.Files[0].Resolve(_settings);
        File.Delete(model);
        var e = Assert.ThrowsExactly<MLCardiacException>(() => unit.Verify(_settings, "store.db"));
        StringAssert.StartsWith(e.Message, model + ": missing; unit \"first/seed-1\" recorded it in store.db");
    }

    [TestMethod]
    public void Verify_StoredResultNotTheBytesItsChecksumRecorded_RefusedAsADamagedStore()
    {
        UnitOutputs unit = Unit() with { Result = "{\"arm\": \"other\"}" };
        var e = Assert.ThrowsExactly<MLCardiacException>(() => unit.Verify(_settings, "store.db"));
        StringAssert.StartsWith(e.Message, "store.db: the stored result of unit \"first/seed-1\" does not match");
    }

    [TestMethod]
    public void Verify_ResultFileOnDiskChanged_RefusedNamingTheFile()
    {
        UnitOutputs unit = Unit();
        string result = unit.Files[1].Resolve(_settings);
        File.WriteAllText(result, "{\"arm\": \"overwritten\"}");
        var e = Assert.ThrowsExactly<MLCardiacException>(() => unit.Verify(_settings, "store.db"));
        StringAssert.StartsWith(e.Message, result + ": SHA-256 ");
    }

    [TestMethod]
    public void Results_StudyWithAUnitStillRunning_RefusedNamingTheUnit()
    {
        string file = Path.Combine(_root, "tiny.json");
        File.WriteAllText(file, """
            {
              "schemaVersion": 1, "id": "tiny",
              "data": { "synthetic": { "seed": 77, "subjectsPerVendor": 3, "vendors": ["A", "B"] } },
              "split": { "trainVendors": ["A"] },
              "arms": [ { "name": "first" } ]
            }
            """);
        ITrialStore store = TrialStores.Open(Path.Combine(_root, "store.db"));
        var study = new DistributedStudy(store, ExperimentLoader.Load(file));
        study.Register(_settings);
        store.Claim(study.Id, "w", TimeSpan.FromMinutes(1), h => h.Count == 0 ? new NewTrial(new ParameterAssignment([new(DistributedStudy.UnitParameter, "first/seed-1")]), "study", 0) : null);

        var e = Assert.ThrowsExactly<MLCardiacException>(() => DistributedStudy.Results(store, study.Id, out _));
        StringAssert.Contains(e.Message, "study \"study/tiny\" is not complete: unit \"first/seed-1\" is running");

        var trial = store.LoadTrials(study.Id).Single();
        store.Finish(study.Id, trial.Trial, "w", TrialStatus.Completed, null, null, 1, null, null);
        e = Assert.ThrowsExactly<MLCardiacException>(() => DistributedStudy.Results(store, study.Id, out _));
        StringAssert.Contains(e.Message, "unit \"first/seed-1\" of \"study/tiny\" has no recorded outputs");
        TrialStores.Close(store);
    }
}
