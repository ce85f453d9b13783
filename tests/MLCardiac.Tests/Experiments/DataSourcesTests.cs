using System.Text.Json;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Experiments;
using MLCardiac.Imaging;
using MLCardiac.Search;
using MLCardiac.Tests.Data;

namespace MLCardiac.Tests.Experiments;

/// <summary>
/// <c>data</c> as a list of named sources: the loader reads and checks it (errors name the file and the JSON path), a
/// single <c>data</c> object stays as it was (same JSON, so the same fingerprints), and the runner joins an M&amp;Ms- and an
/// M&amp;Ms-2-layout folder into one index whose records carry their source.
/// </summary>
[TestClass]
public sealed class DataSourcesTests
{
    private const string TwoSources = """
        {
          "schemaVersion": 1, "id": "two",
          "data": [
            { "name": "north", "synthetic": { "subjectsPerVendor": 4, "vendors": ["A", "B"] } },
            { "name": "south", "synthetic": { "seed": 7, "subjectsPerVendor": 4, "vendors": ["A", "C"] } }
          ],
          "split": { "trainVendors": ["A", "B"], "trainSources": ["north"] },
          "preprocessing": { "size": 64, "spacingMm": 2.5 },
          "model": { "baseFilters": 4, "depth": 3 },
          "arms": [ { "name": "base", "augmentation": "none" }, { "name": "both", "augmentation": "none", "trainSources": ["north", "south"] } ]
        }
        """;

    private static MLCardiacException Fails(string json) => Assert.ThrowsExactly<MLCardiacException>(() => ExperimentLoader.Parse(json, "exp.json"));

    private static string Replace(string json, string from, string to)
    {
        string changed = json.Replace(from, to, StringComparison.Ordinal);
        Assert.AreNotEqual(json, changed, $"the fixture contains {from}");
        return changed;
    }

    [TestMethod]
    public void Parse_DataArray_ReadsNamedSourcesAndTheSourcesEachArmTrainsOn()
    {
        ExperimentDefinition x = ExperimentLoader.Parse(TwoSources, "exp.json");

        CollectionAssert.AreEqual(new[] { "north", "south" }, x.Sources.Select(s => s.Label).ToArray());
        Assert.AreEqual(7UL, x.Sources[1].Synthetic.Seed, "each source has its own generator parameters");
        CollectionAssert.AreEqual(new[] { "A", "C" }, x.Sources[1].Synthetic.Vendors.ToArray());
        CollectionAssert.AreEqual(new[] { "north" }, x.Split.TrainSources!.ToArray());
        Assert.IsNull(x.Split.TestSources, "absent: every source is tested");
        CollectionAssert.AreEqual(new[] { "north" }, x.Arms[0].TrainSources!.ToArray(), "an arm inherits the split's sources");
        Assert.IsFalse(x.Arms[0].TrainsOnSource("south"));
        CollectionAssert.AreEqual(new[] { "north", "south" }, x.Arms[1].TrainSources!.ToArray());
        Assert.IsTrue(x.Arms[1].TrainsOnSource("south"));
    }

    [TestMethod]
    public void ExperimentJson_DataAsTheFileWritesIt_ObjectForOneSourceArrayForSeveral_AndReadBack()
    {
        ExperimentDefinition two = ExperimentLoader.Parse(TwoSources, "exp.json");
        ExperimentDefinition one = two with { Sources = [two.Sources[0] with { Name = null }] };

        using JsonDocument a = JsonDocument.Parse(JsonSerializer.Serialize(two, StudyResults.Json));
        using JsonDocument b = JsonDocument.Parse(JsonSerializer.Serialize(one, StudyResults.Json));

        Assert.AreEqual(JsonValueKind.Array, a.RootElement.GetProperty("data").ValueKind);
        Assert.AreEqual(JsonValueKind.Object, b.RootElement.GetProperty("data").ValueKind, "one source: the data object of earlier releases");
        Assert.IsFalse(b.RootElement.TryGetProperty("sources", out _));
        var back = JsonSerializer.Deserialize<ExperimentDefinition>(a.RootElement.GetRawText(), StudyResults.Json)!;
        CollectionAssert.AreEqual(new[] { "north", "south" }, back.Sources.Select(s => s.Label).ToArray());
        Assert.AreEqual(7UL, back.Sources[1].Synthetic.Seed);
        var backOne = JsonSerializer.Deserialize<ExperimentDefinition>(b.RootElement.GetRawText(), StudyResults.Json)!;
        Assert.HasCount(1, backOne.Sources);
        Assert.AreEqual("synthetic", backOne.Data.Label);
    }

    [TestMethod]
    public void Parse_SingleDataObject_KeepsItsJson_SoFingerprintsOfEarlierStudiesHold()
    {
        const string single = """
            {
              "schemaVersion": 1, "id": "one",
              "data": { "synthetic": { "subjectsPerVendor": 4, "vendors": ["A", "B"] } },
              "split": { "trainVendors": ["A"] },
              "arms": [ { "name": "base", "augmentation": "none" } ]
            }
            """;
        ExperimentDefinition x = ExperimentLoader.Parse(single, "exp.json");

        Assert.HasCount(1, x.Sources);
        Assert.IsNull(x.Data.Name);
        Assert.AreEqual("synthetic", x.Data.Label);
        Assert.IsTrue(x.Arms.All(a => a.TrainSources is null && a.TrainsOnSource("synthetic")));
        string data = JsonSerializer.Serialize(x.Data, StudyResults.Json);
        string split = JsonSerializer.Serialize(x.Split, StudyResults.Json);
        string arm = JsonSerializer.Serialize(x.Arms[0], StudyResults.Json);
        using (JsonDocument d = JsonDocument.Parse(data))
            CollectionAssert.AreEqual(new[] { "source", "path", "layout", "synthetic" }, d.RootElement.EnumerateObject().Select(p => p.Name).ToArray(), "the keys of earlier releases, no more");
        Assert.IsFalse(split.Contains("Sources", StringComparison.OrdinalIgnoreCase), split);
        Assert.IsFalse(arm.Contains("Sources", StringComparison.OrdinalIgnoreCase), arm);
    }

    [TestMethod]
    public void Parse_UnnamedSourcesOfOneKind_DerivedNamesCollide_ErrorNamesTheSecond()
    {
        string json = Replace(Replace(TwoSources, "\"name\": \"north\", ", ""), "\"name\": \"south\", ", "").Replace(", \"trainSources\": [\"north\"]", "", StringComparison.Ordinal)
            .Replace(", \"trainSources\": [\"north\", \"south\"]", "", StringComparison.Ordinal);

        string message = Fails(json).Message;

        StringAssert.StartsWith(message, "exp.json: $.data[1].name: \"synthetic\" names an earlier source too");
        StringAssert.Contains(message, "give it a name");
        Assert.IsFalse(message.Contains('\n'), "one line");
    }

    [TestMethod]
    [DataRow("\"name\": \"south\"", "\"name\": \"north\"", "exp.json: $.data[1].name: \"north\" names an earlier source too; source names must be unique.")]
    [DataRow("\"trainSources\": [\"north\"]", "\"trainSources\": [\"west\"]", "exp.json: $.split.trainSources[0]: source \"west\" is not one of $.data's sources (it has north, south).")]
    [DataRow("\"trainSources\": [\"north\"]", "\"trainSources\": []", "exp.json: $.split.trainSources: needs at least one source (leave it out for every source).")]
    [DataRow("\"trainSources\": [\"north\"]", "\"trainSources\": [\"north\"], \"testSources\": [\"south\", \"south\"]", "exp.json: $.split.testSources[1]: source \"south\" is listed twice.")]
    [DataRow("\"trainSources\": [\"north\", \"south\"]", "\"trainSources\": [\"east\"]", "exp.json: $.arms[1].trainSources[0]: source \"east\" is not one of $.data's sources (it has north, south).")]
    [DataRow("\"name\": \"south\"", "\"name\": \"so uth\"", "exp.json: $.data[1].name: \"so uth\" must be letters, digits, '-' or '_' (it names folders).")]
    [DataRow("\"vendors\": [\"A\", \"C\"]", "\"vendors\": [\"A\", \"Q\"]", "exp.json: $.data[1].synthetic.vendors[1]: \"Q\" is not one of")]
    public void Parse_WrongSources_OneLineNamingFileAndPath(string from, string to, string expected)
    {
        StringAssert.StartsWith(Fails(Replace(TwoSources, from, to)).Message, expected);
    }

    [TestMethod]
    public void Parse_EmptyDataList_IsAnError()
    {
        string json = TwoSources[..TwoSources.IndexOf("\"data\": [", StringComparison.Ordinal)] + "\"data\": [],"
            + TwoSources[TwoSources.IndexOf("\"split\"", StringComparison.Ordinal)..].Replace(", \"trainSources\": [\"north\"]", "", StringComparison.Ordinal)
                .Replace(", \"trainSources\": [\"north\", \"south\"]", "", StringComparison.Ordinal);

        StringAssert.StartsWith(Fails(json).Message, "exp.json: $.data: lists no source");
    }

    [TestMethod]
    public void Parse_TrainVendorInNoSource_IsAnErrorNamingTheSplit()
    {
        StringAssert.StartsWith(Fails(Replace(TwoSources, "\"trainVendors\": [\"A\", \"B\"]", "\"trainVendors\": [\"A\", \"D\"]")).Message,
            "exp.json: $.split.trainVendors[1]: vendor \"D\" has no labeled subjects in the synthetic sources");
    }

    [TestMethod]
    public void Search_WithSeveralSources_IsRefusedNamingTheData()
    {
        string json = Replace(TwoSources, "\"arms\": [ { \"name\": \"base\", \"augmentation\": \"none\" }, { \"name\": \"both\", \"augmentation\": \"none\", \"trainSources\": [\"north\", \"south\"] } ]",
            "\"search\": { \"budget\": { \"trials\": 2 } }").Replace(", \"trainSources\": [\"north\"]", ", \"testVendors\": [\"C\"]", StringComparison.Ordinal);

        var e = Assert.ThrowsExactly<MLCardiacException>(() => SearchDefinition.FromExperiment(ExperimentLoader.Parse(json, "exp.json")));

        StringAssert.StartsWith(e.Message, "exp.json: $.data: a search reads one data source (this file lists 2)");
    }

    [TestMethod]
    public void Folds_SeveralSources_EverySourceIsDealtToEveryFold()
    {
        var records = new[] { "north", "south" }
            .SelectMany(source => Enumerable.Range(0, 4).Select(i => new CaseRecord($"{source}/S{i}", "A", null, FrameRole.ED, "x.nii.gz", 0, "y.nii.gz", 0, "synthetic") { Source = source }))
            .ToList();

        for (int seed = 1; seed <= 5; seed++)
            foreach (var (_, validation) in SubjectSplit.Folds(records, 2, seed))
                foreach (string source in new[] { "north", "south" })
                    Assert.AreEqual(2, validation.Count(r => r.Source == source), $"seed {seed}: two of {source}'s four subjects per fold");
    }

    [TestMethod]
    public void LoadSources_MnmsAndMnms2Folders_RecordsCarryTheirSourceAndSubjectsAreNamespaced()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlcardiac-sources-" + Guid.NewGuid().ToString("N"));
        try
        {
            string mnms = Path.Combine(root, "mnms"), mnms2 = Path.Combine(root, "mnms2");
            new SyntheticDatasetWriter(SyntheticTestCohort.Generator).Write(mnms, new SyntheticDatasetRequest { Vendors = [VendorProfiles.A], SubjectsPerVendor = 2 });
            foreach (string code in new[] { "001", "002" })
                foreach (string s in new[] { "SA_ED", "SA_ED_gt", "SA_ES", "SA_ES_gt" })
                    NiftiWriter.Write(new Volume(new float[8 * 8 * 2], [8, 8, 2], new Spacing(1.25, 1.25, 10)), Path.Combine(mnms2, "dataset", code, $"{code}_{s}.nii.gz"));
            File.WriteAllText(Path.Combine(mnms2, "dataset_information.csv"), "SUBJECT_CODE,DISEASE,VENDOR,SCANNER,FIELD\n1,NOR,A,Avanto,1.5\n2,LV,A,Skyra,3\n");
            string json = $$"""
                {
                  "schemaVersion": 1, "id": "pair",
                  "data": [ { "source": "path", "path": "{{mnms.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "layout": "mnms" },
                            { "source": "path", "path": "{{mnms2.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "layout": "mnms2" } ],
                  "split": { "trainVendors": ["A"], "trainSources": ["mnms"], "testSources": ["mnms2"] },
                  "arms": [ { "name": "a", "augmentation": "none" } ]
                }
                """;
            ExperimentDefinition x = ExperimentLoader.Parse(json, "pair.json");
            CollectionAssert.AreEqual(new[] { "mnms", "mnms2" }, x.Sources.Select(s => s.Label).ToArray(), "names derived from the layouts");

            IReadOnlyList<string> folders = ExperimentRunner.ResolveDataDirectories(x, null);
            DatasetIndex index = ExperimentRunner.LoadSources(x, folders);

            CollectionAssert.AreEqual(new[] { mnms, mnms2 }, folders.ToArray());
            var fromMnms2 = index.Records.Where(r => r.Source == "mnms2").ToList();
            Assert.HasCount(4, fromMnms2, "two subjects × ED, ES");
            CollectionAssert.AreEquivalent(new[] { "mnms2/001", "mnms2/002" }, fromMnms2.Select(r => r.Subject).Distinct().ToArray());
            Assert.AreEqual(3.0, fromMnms2.First(r => r.Subject == "mnms2/002").FieldStrengthT, "metadata kept");
            Assert.IsTrue(fromMnms2.All(r => r.Vendor == "A"));
            var fromMnms = index.Records.Where(r => r.Source == "mnms").ToList();
            Assert.HasCount(4, fromMnms);
            Assert.IsTrue(fromMnms.All(r => r.Subject.StartsWith("mnms/", StringComparison.Ordinal) && r.Vendor == "A"), "vendor as the dataset says");

            // The held-out share is drawn per source and vendor: a third of two subjects is one from each source (pooled, vendor A's
            // four subjects would give one in all).
            var (_, heldOut) = SubjectSplit.BySubject(index.Records, 0.34, seed: 1);
            Assert.AreEqual(1, heldOut.Where(r => r.Source == "mnms").Select(r => r.Subject).Distinct().Count());
            Assert.AreEqual(1, heldOut.Where(r => r.Source == "mnms2").Select(r => r.Subject).Distinct().Count());

            var swapped = x with { Sources = [x.Sources[0], x.Sources[1] with { Layout = "acdc" }] };
            var e = Assert.ThrowsExactly<MLCardiacException>(() => ExperimentRunner.LoadSources(swapped, folders));
            StringAssert.StartsWith(e.Message, "pair.json: $.data[1].layout: expected ");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
