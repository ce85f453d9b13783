using MLCardiac.Experiments;
using MLCardiac.Models;

namespace MLCardiac.Tests.Experiments;

/// <summary>Validation of <c>pipelines/*.json</c>: every error names the file and the JSON path; profiles merge over the root.</summary>
[TestClass]
public sealed class ExperimentLoaderTests
{
    private const string Valid = """
        {
          "schemaVersion": 1, "id": "t",
          "data": { "synthetic": { "subjectsPerVendor": 4, "vendors": ["A", "B", "C"], "unlabeledVendors": ["C"] } },
          "split": { "trainVendors": ["A"], "targetVendors": ["C"] },
          "preprocessing": { "size": 64, "spacingMm": 2.5 },
          "model": { "baseFilters": 4, "depth": 3 },
          "training": { "epochs": 5 },
          "arms": [ { "name": "base", "augmentation": "none" }, { "name": "dann", "model": { "type": "dann", "maxLambda": 0.5 }, "training": { "epochs": 7 } } ],
          "profiles": { "quick": { "training": { "epochs": 2 }, "preprocessing": { "size": 32 } } }
        }
        """;

    private static MLCardiacException Fails(string json, string? profile = null) =>
        Assert.ThrowsExactly<MLCardiacException>(() => ExperimentLoader.Parse(json, "exp.json", profile));

    [TestMethod]
    public void Parse_Valid_ResolvesArmsOverDefaults()
    {
        ExperimentDefinition x = ExperimentLoader.Parse(Valid, "exp.json");

        Assert.AreEqual("t", x.Id);
        Assert.HasCount(2, x.Arms);
        Assert.AreEqual(5, x.Arms[0].Training.Epochs);
        Assert.AreEqual(7, x.Arms[1].Training.Epochs);
        Assert.AreEqual("dann", x.Arms[1].Model.Type);
        Assert.AreEqual(4, x.Arms[1].Model.BaseFilters, "keys an arm does not give come from the experiment's model");
        Assert.AreEqual(0.5, x.Arms[1].Model.MaxLambda);
        CollectionAssert.AreEqual(new[] { "A" }, x.Arms[0].TrainVendors.ToArray());
        Assert.AreEqual("none", x.Arms[0].Augmentation);
    }

    [TestMethod]
    public void Parse_ModelTypes_Give3dNetworksWithTheirPatch_AndDannOnAny()
    {
        string json = Valid.Replace("\"type\": \"dann\", \"maxLambda\": 0.5", "\"type\": \"vnet\", \"dann\": true, \"patchDepth\": 4", StringComparison.Ordinal)
            .Replace("\"model\": { \"baseFilters\": 4, \"depth\": 3 }", "\"model\": { \"type\": \"unet3d\", \"baseFilters\": 4, \"depth\": 3 }", StringComparison.Ordinal);
        ExperimentDefinition x = ExperimentLoader.Parse(json, "exp.json");

        MLCardiac.Models.UNetOptions first = x.Arms[0].Model.ToNetwork(), second = x.Arms[1].Model.ToNetwork();
        Assert.AreEqual(MLCardiac.Models.NetworkKind.UNet3d, first.Kind);
        Assert.AreEqual(8, first.PatchDepth, "the default patch: 8 slices");
        Assert.AreEqual(MLCardiac.Models.NetworkKind.VNet, second.Kind);
        Assert.AreEqual(4, second.PatchDepth);
        Assert.IsTrue(x.Arms[1].Model.IsDann);
        Assert.IsFalse(x.Arms[0].Model.IsDann);
        Assert.AreEqual(MLCardiac.Models.NetworkKind.UNet2d, ExperimentLoader.Parse(Valid, "exp.json").Arms[1].Model.ToNetwork().Kind, "type dann: a 2D U-Net");
    }

    [TestMethod]
    public void Parse_BadModelTypeOrPatch_NamesFileAndPath()
    {
        StringAssert.Contains(Fails(Valid.Replace("\"type\": \"dann\"", "\"type\": \"unet4d\"", StringComparison.Ordinal)).Message, "exp.json: $.arms[1].model.type");
        var e = Fails(Valid.Replace("\"type\": \"dann\"", "\"type\": \"unet3d\", \"patchDepth\": 3", StringComparison.Ordinal));
        StringAssert.Contains(e.Message, "exp.json: $.arms[1].model");
        StringAssert.Contains(e.Message, "PatchDepth");
        StringAssert.Contains(e.Message, "multiple of 2");
    }

    [TestMethod]
    public void Parse_Profile_OverridesOnlyTheKeysItGives()
    {
        ExperimentDefinition x = ExperimentLoader.Parse(Valid, "exp.json", "quick");

        Assert.AreEqual("quick", x.Profile);
        Assert.AreEqual(32, x.Preprocessing.Size);
        Assert.AreEqual(2.5, x.Preprocessing.SpacingMm);
        Assert.AreEqual(2, x.Arms[0].Training.Epochs);
        Assert.AreEqual(7, x.Arms[1].Training.Epochs, "an arm's own value still wins over the profile's default");
    }

    [TestMethod]
    [DataRow("", ClassifierKind.ResNet, typeof(ResNetOptions), 16)]
    [DataRow("\"type\": \"resnet\", \"width\": 8", ClassifierKind.ResNet, typeof(ResNetOptions), 8)]
    [DataRow("\"type\": \"densenet\"", ClassifierKind.DenseNet, typeof(DenseNetOptions), 8)]
    [DataRow("\"type\": \"densenet\", \"width\": 12", ClassifierKind.DenseNet, typeof(DenseNetOptions), 12)]
    [DataRow("\"type\": \"inception\", \"width\": 32", ClassifierKind.Inception, typeof(InceptionOptions), 32)]
    public void Parse_VendorClassifierType_GivesThatNetworkWithItsWidth(string keys, ClassifierKind kind, Type optionsType, int width)
    {
        string json = Valid.Replace("\"arms\":", $"\"vendorClassifier\": {{ \"epochs\": 2{(keys.Length > 0 ? ", " + keys : "")} }},\n  \"arms\":", StringComparison.Ordinal);

        VendorClassifierDefinition vc = ExperimentLoader.Parse(json, "exp.json").VendorClassifier!;
        ClassifierNetworkOptions network = vc.Network();

        Assert.AreEqual(kind, vc.Type);
        Assert.AreEqual(optionsType, network.GetType());
        Assert.AreEqual(width, network switch
        {
            ResNetOptions r => r.BaseWidth,
            DenseNetOptions d => d.GrowthRate,
            InceptionOptions i => i.BaseWidth,
            _ => -1,
        });
    }

    [TestMethod]
    public void Parse_VendorClassifierCompare_ListsTheOtherTypes_AndRefusesUnknownOrRepeatedOnes()
    {
        string With(string compare) => Valid.Replace("\"arms\":", $"\"vendorClassifier\": {{ \"type\": \"resnet\", \"compare\": {compare} }},\n  \"arms\":", StringComparison.Ordinal);

        VendorClassifierDefinition vc = ExperimentLoader.Parse(With("[\"densenet\", \"inception\"]"), "exp.json").VendorClassifier!;

        CollectionAssert.AreEqual(new[] { ClassifierKind.DenseNet, ClassifierKind.Inception }, vc.Compare.ToArray());
        Assert.AreEqual(ClassifierKind.DenseNet, vc.For(ClassifierKind.DenseNet).Type);
        Assert.IsNull(vc.For(ClassifierKind.DenseNet).Width, "a comparison runs at its type's default width");
        CollectionAssert.AreEqual(new[] { "vendor-classifier", "vendor-classifier-densenet", "vendor-classifier-inception" }, StudyResults.ClassifierUnits(vc).ToArray());
        StringAssert.Contains(Fails(With("[\"vgg\"]")).Message, "exp.json: $.vendorClassifier.compare: \"vgg\" is not a vendor-classifier type");
        StringAssert.Contains(Fails(With("[\"resnet\"]")).Message, "already trained");
        StringAssert.Contains(Fails(With("[\"densenet\", \"densenet\"]")).Message, "already trained");
    }

    [TestMethod]
    [DataRow("\"vgg\"", "\"vgg\"")]
    [DataRow("\"ResNet\"", "\"ResNet\"")]
    [DataRow("3", "must be a string")]
    public void Parse_VendorClassifierBadType_NamesFilePathAndValue(string value, string expected)
    {
        var ex = Fails(Valid.Replace("\"arms\":", $"\"vendorClassifier\": {{ \"type\": {value} }},\n  \"arms\":", StringComparison.Ordinal));

        StringAssert.Contains(ex.Message, "exp.json: $.vendorClassifier.type:");
        StringAssert.Contains(ex.Message, expected);
    }

    [TestMethod]
    public void Parse_UnknownKey_NamesFilePathAndSuggestion()
    {
        var ex = Fails(Valid.Replace("\"epochs\": 5", "\"epoch\": 5", StringComparison.Ordinal));
        StringAssert.Contains(ex.Message, "exp.json: $.training.epoch: unknown key");
        StringAssert.Contains(ex.Message, "Did you mean \"epochs\"?");
    }

    [TestMethod]
    public void Parse_UnknownKeyInsideProfile_NamesProfilePath()
    {
        var ex = Fails(Valid.Replace("\"training\": { \"epochs\": 2 }", "\"training\": { \"epoks\": 2 }", StringComparison.Ordinal));
        StringAssert.Contains(ex.Message, "$.profiles.quick.training.epoks: unknown key");
    }

    [TestMethod]
    public void Parse_WrongType_NamesPathAndValue()
    {
        var ex = Fails(Valid.Replace("\"baseFilters\": 4", "\"baseFilters\": \"wide\"", StringComparison.Ordinal));
        StringAssert.Contains(ex.Message, "$.model.baseFilters: must be an integer (was the string \"wide\")");
    }

    [TestMethod]
    public void Parse_UnknownVendor_NamesArrayElement()
    {
        var ex = Fails(Valid.Replace("\"trainVendors\": [\"A\"]", "\"trainVendors\": [\"A\", \"D\"]", StringComparison.Ordinal));
        StringAssert.Contains(ex.Message, "$.split.trainVendors[1]: vendor \"D\" has no labeled subjects");
    }

    [TestMethod]
    public void Parse_TargetVendorWithoutUnlabeledData_IsAnError()
    {
        var ex = Fails(Valid.Replace("\"targetVendors\": [\"C\"]", "\"targetVendors\": [\"B\"]", StringComparison.Ordinal));
        StringAssert.Contains(ex.Message, "$.split.targetVendors[0]: vendor \"B\" has no unlabeled subjects");
    }

    [TestMethod]
    public void Parse_MissingRequired_AndBadValues_AreErrors()
    {
        StringAssert.Contains(Fails(Valid.Replace("\"id\": \"t\",", "", StringComparison.Ordinal)).Message, "$.id: is required");
        StringAssert.Contains(Fails(Valid.Replace("\"augmentation\": \"none\"", "\"augmentation\": \"extreme\"", StringComparison.Ordinal)).Message, "$.arms[0].augmentation: \"extreme\" is not one of");
        StringAssert.Contains(Fails(Valid.Replace("\"name\": \"dann\"", "\"name\": \"base\"", StringComparison.Ordinal)).Message, "$.arms[1].name: \"base\" is used by an earlier arm");
        StringAssert.Contains(Fails(Valid.Replace("\"schemaVersion\": 1", "\"schemaVersion\": 9", StringComparison.Ordinal)).Message, "$.schemaVersion: 9 is not supported");
        StringAssert.Contains(Fails(Valid.Replace("\"size\": 64", "\"size\": 60", StringComparison.Ordinal)).Message, "multiple of 8");
        StringAssert.Contains(Fails("{ \"schemaVersion\": 1, ", null).Message, "exp.json: not valid JSON");
    }

    [TestMethod]
    public void Parse_UnknownProfile_ListsTheProfiles()
    {
        StringAssert.Contains(Fails(Valid, "huge").Message, "$.profiles: has no profile \"huge\" (it has quick)");
    }

    [TestMethod]
    public void ShippedPipelines_LoadWithEveryProfile()
    {
        string dir = Path.Combine(RepositoryRoot(), "pipelines");
        // search-*.json are search definitions (Search/SearchDefinition, tested in Search/); the rest are studies.
        string[] files = Directory.GetFiles(dir, "*.json").Where(f => !Path.GetFileName(f).StartsWith("search-", StringComparison.Ordinal)).ToArray();
        Assert.IsTrue(files.Any(f => f.EndsWith("generalization-study.json", StringComparison.Ordinal)));
        Assert.IsGreaterThanOrEqualTo(5, files.Length, "the study and four ablations");
        foreach (string file in files)
            foreach (string? profile in new[] { null, "quick", "full" })
            {
                ExperimentDefinition x = ExperimentLoader.Load(file, profile);
                // A study compares: two arms or more, or a cross-validated arm's ensemble against its single fold models.
                Assert.IsGreaterThanOrEqualTo(x.Folds > 1 ? 1 : 2, x.Arms.Count, file);
                if (profile == "full")
                {
                    // Useful intervals: at least 3 seeds and 15 held-out subjects per vendor.
                    Assert.IsGreaterThanOrEqualTo(3, x.Seeds.Count, file);
                    Assert.IsGreaterThanOrEqualTo(15, (int)(x.Data.Synthetic.SubjectsPerVendor * x.Split.TestFraction), file);
                }
            }
        var study = ExperimentLoader.Load(Path.Combine(dir, "generalization-study.json"), "quick");
        CollectionAssert.AreEqual(new[] { "none", "standard", "heavy", "heavy" }, study.Arms.Select(a => a.Augmentation).ToArray());
        Assert.IsTrue(study.Arms[^1].Model.IsDann);
        Assert.IsNotNull(study.VendorClassifier);
    }

    [TestMethod]
    public void Parse_SyntheticProfiles_ResolvedNextToTheFileAndTheirVendorsAllowed()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlcardiac-profiles-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "scanners.json"), """{ "vendors": [ { "code": "E", "basedOn": "C", "vendorName": "GE-like 3T" } ] }""");
            string json = Valid.Replace("\"vendors\": [\"A\", \"B\", \"C\"]", "\"vendors\": [\"A\", \"B\", \"C\", \"E\"], \"profiles\": \"scanners.json\"", StringComparison.Ordinal);
            Assert.AreNotEqual(Valid, json, "the fixture names its vendors");
            string file = Path.Combine(dir, "study.json");
            File.WriteAllText(file, json);

            ExperimentDefinition x = ExperimentLoader.Load(file);

            Assert.AreEqual("scanners.json", x.Data.Synthetic.Profiles);
            Assert.AreEqual(Path.Combine(dir, "scanners.json"), x.Data.Synthetic.ProfilesPath);
            Assert.AreEqual(64, x.Data.Synthetic.ProfilesSha256!.Length);
            Assert.AreEqual("GE-like 3T", x.Data.Synthetic.LoadProfiles().Get("E").VendorName);
            File.WriteAllText(file, json.Replace("scanners.json", "missing.json", StringComparison.Ordinal));
            StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => ExperimentLoader.Load(file)).Message, "$.data.synthetic.profiles");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AugmentationFamilies_SplitHeavyIntoDisjointFamilies()
    {
        int heavy = new MLCardiac.Augmentation.AugmentationOptions { Name = "heavy" }.CreatePipeline().Steps.Count;
        int parts = new MLCardiac.Augmentation.AugmentationOptions { Name = "spatial" }.CreatePipeline().Steps.Count + new MLCardiac.Augmentation.AugmentationOptions { Name = "intensity" }.CreatePipeline().Steps.Count + new MLCardiac.Augmentation.AugmentationOptions { Name = "artefacts" }.CreatePipeline().Steps.Count;
        Assert.AreEqual(heavy, parts);
        Assert.AreEqual(1, new MLCardiac.Augmentation.AugmentationOptions { Name = "spatial" }.CreatePipeline().Steps.Count);
        Assert.IsGreaterThanOrEqualTo(5, new MLCardiac.Augmentation.AugmentationOptions { Name = "artefacts" }.CreatePipeline().Steps.Count);
        Assert.IsEmpty(new MLCardiac.Augmentation.AugmentationOptions { Name = "none" }.CreatePipeline().Steps);
    }

    internal static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "MLCardiac.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("MLCardiac.sln not found above the test assembly.");
    }

    [TestMethod]
    public void Folds_OutOfRangeOrInASearchOnlyFile_NamesTheKey()
    {
        string study = CrossValidationStudyTests.Study;
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => ExperimentLoader.Parse(study.Replace("\"folds\": 3", "\"folds\": 0"), "cv.json")).Message, "$.folds");
        Assert.AreEqual(3, ExperimentLoader.Parse(study, "cv.json").Folds);
        Assert.AreEqual(1, ExperimentLoader.Parse(study.Replace("\"folds\": 3,", ""), "cv.json").Folds, "default: no cross-validation");
        const string search = """{ "schemaVersion": 1, "id": "s", "split": { "trainVendors": ["A", "B"] }, "folds": 5, "search": { } }""";
        StringAssert.Contains(Assert.ThrowsExactly<MLCardiacException>(() => ExperimentLoader.Parse(search, "s.json")).Message, "$.folds");
    }
}
