using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MLCardiac.Data.Synthetic;
using MLCardiac.Models;
using MLCardiac.Preprocessing;

namespace MLCardiac.Experiments;

/// <summary>
/// Reads and validates <c>pipelines/*.json</c>. Unknown keys, wrong types, values out of range, unknown vendors and
/// unknown profiles are errors naming the file and the JSON path. A profile (<c>profiles.quick</c>, <c>profiles.full</c>)
/// is a partial document merged over the root before the experiment is resolved: objects merge key by key,
/// everything else (numbers, strings, arrays) replaces.
/// </summary>
public static partial class ExperimentLoader
{
    /// <summary>Evaluations an experiment can ask for.</summary>
    public static IReadOnlyList<string> EvaluationNames { get; } = ["dice", "hausdorff", "hd95", "assd", "clinical"];

    /// <summary>Report figures an experiment can ask for.</summary>
    public static IReadOnlyList<string> FigureNames { get; } = ["dicePerVendor", "blandAltman", "overlays", "trainingCurves", "confusion"];

    private static readonly string[] RootKeys = ["schemaVersion", "id", "description", "data", "split", "preprocessing", "training", "model", "augmentation", "seeds", "folds", "arms", "vendorClassifier", "evaluations", "figures", "bootstrapResamples", "search", "profiles"];
    private static readonly string[] ProfileKeys = [.. RootKeys.Except(["schemaVersion", "id", "profiles"])];
    private static readonly string[] DataKeys = ["name", "source", "path", "layout", "synthetic"];
    private static readonly string[] SyntheticKeys = ["seed", "subjectsPerVendor", "vendors", "unlabeledVendors", "unlabeledPerVendor", "minFrames", "maxFrames", "profiles"];
    private static readonly string[] SplitKeys = ["trainVendors", "testVendors", "targetVendors", "trainSources", "testSources", "trainCentres", "testFraction", "validationFraction", "seed"];
    private static readonly string[] PreprocessingKeys = ["size", "spacingMm"];
    private static readonly string[] TrainingKeys = ["epochs", "iterationsPerEpoch", "batchSize", "learningRate", "patience", "threads"];
    private static readonly string[] ModelKeys = ["type", "dann", "baseFilters", "depth", "patchDepth", "inPlaneStages", "maxLambda"];
    private static readonly string[] ArmKeys = ["name", "description", "augmentation", "model", "training", "trainVendors", "targetVendors", "trainSources", "trainCentres"];
    private static readonly string[] ClassifierKeys = ["enabled", "type", "compare", "epochs", "iterationsPerEpoch", "width", "unseenVendors", "falseAlarmRate"];
    private static readonly string[] Layouts = ["auto", "mnms", "mnms2", "acdc", "folder"];
    // Keys only a study reads: in a file with a search section and no arms nothing would read them, so they are errors there.
    private static readonly string[] StudyOnlyRootKeys = ["vendorClassifier", "evaluations", "figures", "bootstrapResamples", "folds"];
    private static readonly string[] StudyOnlySplitKeys = ["targetVendors", "trainSources", "testSources", "trainCentres", "testFraction", "validationFraction", "seed"];

    /// <summary>Reads <paramref name="path"/> and applies <paramref name="profile"/> (null: none).</summary>
    /// <exception cref="MLCardiacException">The file is missing, not JSON, or not a valid experiment.</exception>
    public static ExperimentDefinition Load(string path, string? profile = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new MLCardiacException($"{path}: experiment file not found.");
        return Parse(File.ReadAllText(path), path, profile);
    }

    /// <summary>Parses experiment JSON <paramref name="json"/>; <paramref name="file"/> names it in messages.</summary>
    /// <exception cref="MLCardiacException">The text is not a valid experiment.</exception>
    public static ExperimentDefinition Parse(string json, string file, string? profile = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? rootNode;
        var nodeOptions = new JsonNodeOptions { PropertyNameCaseInsensitive = false };
        var documentOptions = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        try
        {
            rootNode = JsonNode.Parse(json, nodeOptions, documentOptions);
        }
        catch (JsonException ex)
        {
            throw new MLCardiacException($"{file}: not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message}");
        }
        if (rootNode is not JsonObject rootObject) throw JsonObjectReader.Error(file, "$", "the experiment must be a JSON object.");
        using (JsonDocument rootDocument = JsonDocument.Parse(rootObject.ToJsonString()))
        {
            var root = JsonObjectReader.Open(rootDocument.RootElement, file, "$", partial: false, RootKeys);
            int version = root.Int("schemaVersion", 0, required: true);
            if (version != ExperimentDefinition.CurrentSchemaVersion)
                throw root.Error("schemaVersion", $"{version} is not supported (this build reads {ExperimentDefinition.CurrentSchemaVersion}).");
            // Validate every profile on its own, so an error in one names its path under $.profiles.
            if (root.Raw("profiles") is JsonElement profiles)
            {
                if (profiles.ValueKind != JsonValueKind.Object) throw root.Error("profiles", "must be an object of named partial experiments.");
                foreach (JsonProperty p in profiles.EnumerateObject())
                    Resolve(JsonObjectReader.Open(p.Value, file, $"$.profiles.{p.Name}", partial: true, ProfileKeys), file, null, BaseDirectory(file));
            }
        }
        JsonObject merged = (JsonObject)rootObject.DeepClone();
        merged.Remove("profiles");
        string label = file;
        if (profile is not null)
        {
            JsonObject? profiles = rootObject["profiles"] as JsonObject;
            if (profiles?[profile] is not JsonObject overrides)
                throw JsonObjectReader.Error(file, "$.profiles", $"has no profile \"{profile}\" (it has {(profiles is null || profiles.Count == 0 ? "none" : string.Join(", ", profiles.Select(p => p.Key)))}).");
            Merge(merged, overrides);
            label = $"{file} (profile {profile})";
        }
        using JsonDocument document = JsonDocument.Parse(merged.ToJsonString());
        var reader = JsonObjectReader.Open(document.RootElement, label, "$", partial: false, RootKeys);
        ExperimentDefinition definition = Resolve(reader, label, profile, BaseDirectory(file)) with { SourceFile = file, Unspecified = Unspecified(merged) };
        if (definition.Sources.All(s => s.Source == "synthetic"))
        {
            var s = definition.Sources.Select(x => x.Synthetic).ToList();
            CheckVendors(definition, label, [.. s.SelectMany(x => x.Vendors).Distinct()], [.. s.SelectMany(x => x.UnlabeledVendors).Distinct()],
                s.Count == 1 ? "the synthetic data (data.synthetic.vendors / unlabeledVendors)" : "the synthetic sources (data[i].synthetic.vendors / unlabeledVendors)");
        }
        return definition;
    }

    /// <summary>
    /// Checks every vendor the experiment names against the data: <paramref name="labeled"/> vendors (with labels)
    /// and <paramref name="unlabeled"/> ones (target data). The message names the JSON path of the first wrong one.
    /// </summary>
    /// <exception cref="MLCardiacException">A vendor is not in the data.</exception>
    public static void CheckVendors(ExperimentDefinition definition, string file, IReadOnlyCollection<string> labeled, IReadOnlyCollection<string> unlabeled, string dataDescription)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(labeled);
        ArgumentNullException.ThrowIfNull(unlabeled);
        void Check(IReadOnlyList<string> vendors, string path, IReadOnlyCollection<string> available, string what)
        {
            for (int i = 0; i < vendors.Count; i++)
                if (!available.Contains(vendors[i]))
                    throw JsonObjectReader.Error(file, $"{path}[{i}]", $"vendor \"{vendors[i]}\" has no {what} in {dataDescription} (it has {(available.Count == 0 ? "none" : string.Join(", ", available.Order(StringComparer.Ordinal)))}).");
        }
        Check(definition.Split.TrainVendors, "$.split.trainVendors", labeled, "labeled subjects");
        Check(definition.Split.TestVendors, "$.split.testVendors", labeled, "labeled subjects");
        Check(definition.Split.TargetVendors, "$.split.targetVendors", unlabeled, "unlabeled subjects");
        for (int a = 0; a < definition.Arms.Count; a++)
        {
            Check(definition.Arms[a].TrainVendors, $"$.arms[{a}].trainVendors", labeled, "labeled subjects");
            Check(definition.Arms[a].TargetVendors, $"$.arms[{a}].targetVendors", unlabeled, "unlabeled subjects");
        }
        if (definition.VendorClassifier is { } vc)
            Check(vc.UnseenVendors, "$.vendorClassifier.unseenVendors", [.. labeled.Union(unlabeled)], "subjects");
    }

    private static string BaseDirectory(string file)
    {
        string? directory = Path.GetDirectoryName(file);
        return string.IsNullOrEmpty(directory) ? "." : directory;
    }

    private static ExperimentDefinition Resolve(JsonObjectReader root, string file, string? profile, string baseDirectory)
    {
        string id = root.Partial ? "" : root.String("id", "", required: true);
        if (!root.Partial && !NamePattern().IsMatch(id)) throw root.Error("id", $"\"{id}\" must be letters, digits, '-' or '_' (it names folders).");

        var sources = new List<DataSourceDefinition>();
        if (root.Raw("data") is { ValueKind: JsonValueKind.Array })
        {
            var readers = root.Objects("data", DataKeys);
            if (readers.Count == 0) throw root.Error("data", "lists no source: give one source object, or an array of one or more.");
            foreach (JsonObjectReader r in readers)
            {
                DataSourceDefinition source = ReadSource(r, root.Partial, baseDirectory);
                string name = source.Label;
                if (sources.Any(x => x.Name == name))
                    throw r.Error("name", $"\"{name}\" names an earlier source too; source names must be unique{(r.Has("name") ? "" : $" (this one's is derived from its {(source.Source == "synthetic" ? "source" : "layout")}: give it a name)")}.");
                sources.Add(source with { Name = name });
            }
        }
        else if (root.Object("data", DataKeys) is { } d)
        {
            sources.Add(ReadSource(d, root.Partial, baseDirectory));
        }
        else
        {
            sources.Add(new DataSourceDefinition());
        }
        string[] sourceNames = [.. sources.Select(x => x.Label)];

        var split = new SplitDefinition();
        if (root.Object("split", SplitKeys, required: true) is { } sp)
            split = new SplitDefinition
            {
                TrainVendors = sp.Strings("trainVendors", [], required: true),
                TestVendors = sp.Strings("testVendors", []),
                TargetVendors = sp.Strings("targetVendors", []),
                TrainSources = SourceList(sp, "trainSources", sourceNames),
                TestSources = SourceList(sp, "testSources", sourceNames),
                TrainCentres = CentreList(sp, "trainCentres"),
                TestFraction = sp.Number("testFraction", split.TestFraction, 0.05, 0.9),
                ValidationFraction = sp.Number("validationFraction", split.ValidationFraction, 0, 0.9),
                Seed = sp.Int("seed", split.Seed),
            };
        if (!root.Partial && split.TrainVendors.Count == 0) throw JsonObjectReader.Error(file, "$.split.trainVendors", "needs at least one vendor.");

        var preprocessing = new PreprocessingOptions();
        if (root.Object("preprocessing", PreprocessingKeys) is { } pp)
            preprocessing = new PreprocessingOptions { Size = pp.Int("size", preprocessing.Size, 16, 1024), SpacingMm = pp.Number("spacingMm", preprocessing.SpacingMm, 0.1, 20) };

        TrainingBudget training = ReadTraining(root.Object("training", TrainingKeys), new TrainingBudget());
        ModelDefinition model = ReadModel(root.Object("model", ModelKeys), new ModelDefinition());
        string augmentation = root.String("augmentation", "none", allowed: MLCardiac.Augmentation.AugmentationOptions.Names);

        // A file may declare arms (a study, `mlcardiac run`), a search section (`mlcardiac search`), or both.
        bool hasSearch = root.Has("search");
        if (hasSearch && root.Raw("search")!.Value.ValueKind != JsonValueKind.Object) throw root.Error("search", "must be an object (the search space and tuner; see pipelines/search-README.md).");
        var arms = new List<ArmDefinition>();
        var armReaders = root.Objects("arms", ArmKeys, required: !hasSearch);
        if (!root.Partial && armReaders.Count == 0 && !hasSearch) throw JsonObjectReader.Error(file, "$.arms", "needs at least one arm (or a search section).");
        if (!root.Partial && hasSearch && !root.Has("arms"))
        {
            foreach (string key in StudyOnlyRootKeys)
                if (root.Has(key)) throw root.Error(key, "is read by a study's arms only, and this file has a search section and no arms: remove it.");
            if (root.Raw("split") is JsonElement splitElement)
                foreach (string key in StudyOnlySplitKeys)
                    if (splitElement.TryGetProperty(key, out _)) throw JsonObjectReader.Error(file, $"$.split.{key}", "is read by a study's arms only (a search validates by leaving one training vendor out and tests on split.testVendors): remove it.");
        }
        foreach (JsonObjectReader a in armReaders)
        {
            string name = a.String("name", "", required: true);
            if (!root.Partial && !NamePattern().IsMatch(name)) throw a.Error("name", $"\"{name}\" must be letters, digits, '-' or '_' (it names folders).");
            if (arms.Any(x => x.Name == name)) throw a.Error("name", $"\"{name}\" is used by an earlier arm; arm names must be unique.");
            var arm = new ArmDefinition
            {
                Name = name,
                Description = a.String("description", ""),
                Augmentation = a.String("augmentation", augmentation, allowed: MLCardiac.Augmentation.AugmentationOptions.Names),
                Model = ReadModel(a.Object("model", ModelKeys), model),
                Training = ReadTraining(a.Object("training", TrainingKeys), training),
                TrainVendors = a.Strings("trainVendors", split.TrainVendors),
                TargetVendors = a.Strings("targetVendors", split.TargetVendors),
                TrainSources = a.Has("trainSources") ? SourceList(a, "trainSources", sourceNames) : split.TrainSources,
                TrainCentres = a.Has("trainCentres") ? CentreList(a, "trainCentres") : split.TrainCentres,
            };
            if (!root.Partial && arm.Model.IsDann && arm.TargetVendors.Count == 0 && arm.TrainVendors.Count < 2)
                throw a.Error("targetVendors", "a dann arm needs target vendors (unlabeled data) or at least two training vendors: the domain head needs two domains.");
            if (!root.Partial && preprocessing.Size % (1 << arm.Model.Depth) != 0)
                throw a.Error("model", $"depth {arm.Model.Depth} needs a slice size that is a multiple of {1 << arm.Model.Depth}; preprocessing.size is {preprocessing.Size}.");
            if (!root.Partial && arm.Model.ToNetwork().Problem() is { } problem) throw a.Error("model", problem.Message);
            arms.Add(arm);
        }

        VendorClassifierDefinition? classifier = null;
        if (root.Object("vendorClassifier", ClassifierKeys) is { } vc && vc.Bool("enabled", true))
        {
            var dflt = new VendorClassifierDefinition();
            string typeName = vc.String("type", ClassifierNetworkOptions.KindName(dflt.Type));
            if (!ClassifierNetworkOptions.TryParseKind(typeName, out ClassifierKind type))
                throw vc.Error("type", $"\"{typeName}\" is not a vendor-classifier type; use one of {string.Join(", ", ClassifierNetworkOptions.KindNames)}.");
            classifier = new VendorClassifierDefinition
            {
                Type = type,
                Epochs = vc.Int("epochs", dflt.Epochs, 1, 10_000),
                IterationsPerEpoch = vc.Int("iterationsPerEpoch", dflt.IterationsPerEpoch, 0, 1_000_000),
                Width = vc.Has("width") ? vc.Int("width", 0, 1, 512) : null,
                UnseenVendors = vc.Strings("unseenVendors", []),
                FalseAlarmRate = vc.Number("falseAlarmRate", dflt.FalseAlarmRate, 0, 1),
            };
            var compare = new List<ClassifierKind>();
            foreach (string name in vc.Strings("compare", []))
            {
                if (!ClassifierNetworkOptions.TryParseKind(name, out ClassifierKind kind))
                    throw vc.Error("compare", $"\"{name}\" is not a vendor-classifier type; use one of {string.Join(", ", ClassifierNetworkOptions.KindNames)}.");
                if (kind == type || compare.Contains(kind))
                    throw vc.Error("compare", $"\"{name}\" is already trained (the type, or listed twice).");
                compare.Add(kind);
            }
            classifier = classifier with { Compare = compare };
        }

        var seeds = root.Ints("seeds", [1], min: 0);
        if (seeds.Count == 0) throw root.Error("seeds", "needs at least one seed.");
        if (seeds.Distinct().Count() != seeds.Count) throw root.Error("seeds", "has a repeated seed.");
        return new ExperimentDefinition
        {
            Id = id,
            Description = root.String("description", ""),
            Profile = profile,
            Sources = sources,
            Split = split,
            Preprocessing = preprocessing,
            Seeds = seeds,
            Folds = root.Int("folds", 1, 1, 20),
            Arms = arms,
            VendorClassifier = classifier,
            Model = model,
            Training = training,
            Augmentation = augmentation,
            Search = hasSearch ? root.Raw("search")!.Value.Clone() : null,
            Evaluations = root.Strings("evaluations", EvaluationNames, allowed: EvaluationNames),
            Figures = root.Strings("figures", FigureNames, allowed: FigureNames),
            BootstrapResamples = root.Int("bootstrapResamples", 2000, 100, 100_000),
        };
    }

    /// <summary>One data source (<c>data</c> or <c>data[i]</c>).</summary>
    private static DataSourceDefinition ReadSource(JsonObjectReader d, bool partial, string baseDirectory)
    {
        string? name = d.Has("name") ? d.String("name", "") : null;
        if (name is not null && !NamePattern().IsMatch(name)) throw d.Error("name", $"\"{name}\" must be letters, digits, '-' or '_' (it names folders).");
        string source = d.String("source", "synthetic", allowed: ["synthetic", "path"]);
        var synthetic = new SyntheticDataDefinition();
        if (d.Object("synthetic", SyntheticKeys) is { } s)
        {
            string? profilesFile = s.Has("profiles") ? s.String("profiles", "") : null;
            string? profilesPath = string.IsNullOrWhiteSpace(profilesFile) ? null : Path.GetFullPath(Path.Combine(baseDirectory, profilesFile));
            VendorProfileSet profileSet;
            string? profilesHash = null;
            if (profilesPath is null)
            {
                profileSet = VendorProfileSet.BuiltIn;
            }
            else
            {
                if (!File.Exists(profilesPath)) throw s.Error("profiles", $"the profile file {profilesPath} does not exist.");
                profileSet = VendorProfileSet.Load(profilesPath);
                profilesHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(profilesPath)));
            }
            string[] known = [.. profileSet.Codes];
            synthetic = new SyntheticDataDefinition
            {
                Profiles = profilesFile,
                ProfilesPath = profilesPath,
                ProfilesSha256 = profilesHash,
                Seed = (ulong)s.Number("seed", synthetic.Seed, 0, ulong.MaxValue),
                SubjectsPerVendor = s.Int("subjectsPerVendor", synthetic.SubjectsPerVendor, 2, 10_000),
                Vendors = s.Strings("vendors", synthetic.Vendors, allowed: known),
                UnlabeledVendors = s.Strings("unlabeledVendors", synthetic.UnlabeledVendors, allowed: known),
                UnlabeledPerVendor = s.Int("unlabeledPerVendor", synthetic.UnlabeledPerVendor, 1, 10_000),
                MinFrames = s.Int("minFrames", synthetic.MinFrames, 2, 100),
                MaxFrames = s.Int("maxFrames", synthetic.MaxFrames, 2, 100),
            };
            if (synthetic.MaxFrames < synthetic.MinFrames) throw s.Error("maxFrames", $"{synthetic.MaxFrames} is below minFrames {synthetic.MinFrames}.");
        }
        var data = new DataSourceDefinition { Name = name, Source = source, Path = d.Has("path") ? d.String("path", "") : null, Layout = d.String("layout", "auto", allowed: Layouts), Synthetic = synthetic };
        if (!partial && source == "path" && string.IsNullOrWhiteSpace(data.Path)) throw d.Error("path", "is required when source is \"path\".");
        return data;
    }

    /// <summary>A list of centre codes (null when the key is absent): at least one, none repeated. Whether the data has them is checked by the run.</summary>
    private static IReadOnlyList<string>? CentreList(JsonObjectReader r, string key)
    {
        if (!r.Has(key)) return null;
        IReadOnlyList<string> list = r.Strings(key, []);
        if (r.Partial) return list;
        if (list.Count == 0) throw r.Error(key, "needs at least one centre (leave the key out to train on every centre).");
        if (list.Distinct(StringComparer.Ordinal).Count() != list.Count) throw r.Error(key, "has a repeated centre.");
        return list;
    }

    /// <summary>A list of source names (<c>trainSources</c>, <c>testSources</c>), each one of <paramref name="names"/>; null when absent.</summary>
    private static IReadOnlyList<string>? SourceList(JsonObjectReader r, string key, IReadOnlyCollection<string> names)
    {
        if (!r.Has(key)) return null;
        IReadOnlyList<string> list = r.Strings(key, []);
        if (list.Count == 0) throw r.Error(key, "needs at least one source (leave it out for every source).");
        for (int i = 0; i < list.Count; i++)
        {
            if (!r.Partial && !names.Contains(list[i]))
                throw JsonObjectReader.Error(r.File, $"{r.Path}.{key}[{i}]", $"source \"{list[i]}\" is not one of $.data's sources (it has {string.Join(", ", names)}).");
            if (list.Take(i).Contains(list[i])) throw JsonObjectReader.Error(r.File, $"{r.Path}.{key}[{i}]", $"source \"{list[i]}\" is listed twice.");
        }
        return list;
    }

    private static TrainingBudget ReadTraining(JsonObjectReader? t, TrainingBudget fallback) => t is not { } r ? fallback : new TrainingBudget
    {
        Epochs = r.Int("epochs", fallback.Epochs, 1, 100_000),
        IterationsPerEpoch = r.Int("iterationsPerEpoch", fallback.IterationsPerEpoch, 0, 10_000_000),
        BatchSize = r.Int("batchSize", fallback.BatchSize, 1, 4096),
        LearningRate = r.Number("learningRate", fallback.LearningRate, 1e-8, 10),
        Patience = r.Int("patience", fallback.Patience, 0, 100_000),
        Threads = r.Int("threads", fallback.Threads, 0, 1024),
    };

    private static ModelDefinition ReadModel(JsonObjectReader? m, ModelDefinition fallback) => m is not { } r ? fallback : new ModelDefinition
    {
        Type = r.String("type", fallback.Type, allowed: [.. ModelDefinition.Types]),
        Dann = r.Bool("dann", fallback.Dann),
        BaseFilters = r.Int("baseFilters", fallback.BaseFilters, 1, 512),
        Depth = r.Int("depth", fallback.Depth, 1, 7),
        PatchDepth = r.Int("patchDepth", fallback.PatchDepth, 0, 256),
        InPlaneStages = r.Int("inPlaneStages", fallback.InPlaneStages, 0, 7),
        MaxLambda = r.Number("maxLambda", fallback.MaxLambda, 0, 10),
    };

    /// <summary>Keys a study may leave to the dataset's plan, as <c>section.key</c>.</summary>
    public static readonly IReadOnlyList<string> PlannableKeys = ["preprocessing.size", "preprocessing.spacingMm", "training.batchSize", "model.baseFilters", "model.depth", "model.inPlaneStages", "model.patchDepth"];

    /// <summary>The plannable keys given nowhere in <paramref name="root"/> (the root's sections and every arm's).</summary>
    private static string[] Unspecified(JsonObject root)
    {
        var objects = new List<JsonObject> { root };
        if (root["arms"] is JsonArray arms) objects.AddRange(arms.OfType<JsonObject>());
        return [.. PlannableKeys.Where(k =>
        {
            string[] parts = k.Split('.');
            return !objects.Any(o => o[parts[0]] is JsonObject section && section.ContainsKey(parts[1]));
        })];
    }

    private static void Merge(JsonObject target, JsonObject overrides)
    {
        foreach (var (key, value) in overrides)
        {
            if (value is JsonObject o && target[key] is JsonObject t) Merge(t, o);
            else target[key] = value?.DeepClone();
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex NamePattern();
}
