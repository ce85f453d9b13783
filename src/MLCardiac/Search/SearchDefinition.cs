using System.Globalization;
using System.Text.Json;
using MLCardiac.Augmentation;
using MLCardiac.ML;
using MLCardiac.Experiments;
using MLCardiac.Models;
using MLCardiac.Training;

namespace MLCardiac.Search;

/// <summary>
/// What <c>mlcardiac search</c> runs, documented key by key in pipelines/search-README.md. Read from a pipeline file
/// in the study format (<see cref="ExperimentLoader"/>: <c>id</c>, <c>data</c>, <c>split</c>, <c>preprocessing</c>,
/// <c>model</c>, <c>training</c>, <c>augmentation</c>, <c>seeds</c>, <c>profiles</c>) that carries a <c>search</c>
/// section (<see cref="FromExperiment"/>).
/// </summary>
public sealed record SearchDefinition
{
    /// <summary>Name of the search (the default search id and report folder).</summary>
    public required string Name { get; init; }
    /// <summary>Dataset folder (relative paths are relative to the current directory).</summary>
    public required string DataPath { get; init; }
    /// <summary>Slice side in pixels.</summary>
    public int Size => BaseOptions.Preprocessing.Size;
    /// <summary>In-plane spacing after resampling, mm.</summary>
    public double SpacingMm => BaseOptions.Preprocessing.SpacingMm;
    /// <summary>Vendors whose labeled subjects train (and, left out one at a time, validate) the pipelines.</summary>
    public required IReadOnlyList<string> TrainVendors { get; init; }
    /// <summary>Vendors kept for the final test only; never seen during the search.</summary>
    public required IReadOnlyList<string> TestVendors { get; init; }
    /// <summary>Leave-one-training-vendor-out folds per trial (1 … number of training vendors).</summary>
    public int Folds { get; init; } = 1;
    /// <summary>At most this many validation slices per fold (evenly spaced through the held-out vendor's slices); 0: all.</summary>
    public int ValidationSlices { get; init; }
    /// <summary>The default pipeline; searched parameters override its options.</summary>
    public required SegmentationPipelineOptions BaseOptions { get; init; }
    /// <summary>The space.</summary>
    public required SearchSpace Space { get; init; }
    /// <summary>Metric: meanDice, lv, myo or rv (validation Dice).</summary>
    public string Metric { get; init; } = "meanDice";
    /// <summary>Tuner.</summary>
    public TunerKind Tuner { get; init; } = TunerKind.CfoAsha;
    /// <summary>Tuner seed.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>Budget.</summary>
    public required SearchBudget Budget { get; init; }
    /// <summary>Trials at once.</summary>
    public int Concurrency { get; init; } = 1;
    /// <summary>Whether trial 0 is the default pipeline.</summary>
    public bool IncludeDefault { get; init; } = true;
    /// <summary>ASHA's first rung (epochs).</summary>
    public int AshaMinEpochs { get; init; } = AshaScheduler.DefaultMinEpochs;
    /// <summary>ASHA's η.</summary>
    public double AshaReductionFactor { get; init; } = AshaScheduler.DefaultReductionFactor;
    /// <summary>The study-format pipeline this search was read from.</summary>
    public ExperimentDefinition? Experiment { get; init; }

    /// <summary>Keys of a study-format file's <c>search</c> section.</summary>
    public static IReadOnlyList<string> SectionKeys { get; } = ["metric", "tuner", "seed", "budget", "concurrency", "includeDefault", "asha", "validation", "base", "parameters"];

    /// <summary>Options of the default pipeline under <c>search.base</c>: those the study keys (<c>model</c>, <c>training</c>, <c>augmentation</c>) do not cover.</summary>
    public static IReadOnlyList<string> SectionBaseKeys { get; } = ["normalization", "diceWeight", "crossEntropyWeight", "weightDecay", "dropout", "foregroundOversampling"];

    // Where the study format keeps what the search-only format's `base` held.
    private static readonly Dictionary<string, string> StudyKeyOf = new(StringComparer.Ordinal)
    {
        ["epochs"] = "$.training.epochs", ["iterationsPerEpoch"] = "$.training.iterationsPerEpoch", ["batchSize"] = "$.training.batchSize",
        ["learningRate"] = "$.training.learningRate", ["threads"] = "$.training.threads", ["baseFilters"] = "$.model.baseFilters", ["depth"] = "$.model.depth",
        ["dann"] = "$.model.type (\"dann\")", ["maxLambda"] = "$.model.maxLambda", ["augmentation"] = "$.augmentation", ["seed"] = "$.seeds",
    };

    /// <summary>
    /// The dataset folder resolved: a study-format pipeline's <c>data</c> (its path, or the synthetic data generated into
    /// the cache folder <c>data/ID-HASH/</c> on first use, as <c>mlcardiac run</c> does); <paramref name="dataDirectory"/>
    /// replaces the folder when given. As for <c>mlcardiac run</c> and <c>train</c>, the folder's plan (<c>plans.json</c>,
    /// written by <c>mlcardiac plan</c>) gives the default pipeline (and the space's defaults) every value of
    /// <see cref="ExperimentLoader.PlannableKeys"/> the file leaves unspecified (<see cref="ExperimentDefinition.WithPlan"/>).
    /// </summary>
    /// <exception cref="MLCardiacException">The folder is unusable, or the plan does not fit the file (named).</exception>
    public SearchDefinition ResolveData(string? dataDirectory = null, CancellationToken cancellationToken = default)
    {
        if (Experiment is null) return dataDirectory is null ? this : this with { DataPath = dataDirectory };
        string folder = ExperimentRunner.ResolveDataDirectory(Experiment, dataDirectory, cancellationToken);
        SearchDefinition resolved = Experiment.Unspecified.Count > 0 && Planning.TrainingPlan.ForDataset(folder) is { } plan
            ? FromExperiment(Experiment.WithPlan(plan, Path.Combine(folder, Planning.TrainingPlan.FileName)))
            : this;
        return resolved with { DataPath = folder };
    }

    /// <summary>
    /// Reads and checks a pipeline file in the study format with a <c>search</c> section (<paramref name="profile"/> applies
    /// one of its <c>profiles</c>). Synthetic data is not generated here: call <see cref="ResolveData"/>.
    /// </summary>
    /// <exception cref="MLCardiacException">The file is missing, not JSON, or a key is wrong (named with the file and key).</exception>
    public static SearchDefinition Load(string path, string? profile = null) => FromExperiment(ExperimentLoader.Load(path, profile));

    /// <summary>
    /// The search a study-format pipeline declares: the default pipeline from its <c>model</c>, <c>training</c>,
    /// <c>augmentation</c> and <c>seeds</c> (plus <c>search.base</c> for the options those keys do not cover), the
    /// slices from <c>preprocessing</c>, the vendors from <c>split.trainVendors</c>/<c>split.testVendors</c>, the rest from
    /// the <c>search</c> section.
    /// </summary>
    /// <exception cref="MLCardiacException">The pipeline has no search section, or a value is unusable for a search (named with the file and JSON path).</exception>
    public static SearchDefinition FromExperiment(ExperimentDefinition experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        string where = experiment.Profile is null ? experiment.SourceFile : $"{experiment.SourceFile} (profile {experiment.Profile})";
        if (experiment.Search is not JsonElement search)
            throw new MLCardiacException($"{where}: $.search: missing; this pipeline declares a study (run it with `mlcardiac run`), not a search.");
        if (experiment.Sources.Count > 1)
            throw new MLCardiacException($"{where}: $.data: a search reads one data source (this file lists {experiment.Sources.Count}); give the search its own pipeline file.");
        var train = experiment.Split.TrainVendors.ToList();
        var test = experiment.Split.TestVendors.ToList();
        if (train.Count < 2) throw new MLCardiacException($"{where}: $.split.trainVendors: a search needs at least two training vendors (one is left out for validation).");
        if (test.Count == 0) throw new MLCardiacException($"{where}: $.split.testVendors: a search needs the vendors of its final test (never seen during the search).");
        if (train.Intersect(test).FirstOrDefault() is { } both) throw new MLCardiacException($"{where}: $.split.testVendors: vendor \"{both}\" is also a training vendor.");
        if (experiment.Seeds.Count != 1) throw new MLCardiacException($"{where}: $.seeds: a search trains every trial with one seed (has {experiment.Seeds.Count}).");
        if (experiment.Augmentation is not ("none" or "standard" or "heavy"))
            throw new MLCardiacException($"{where}: $.augmentation: \"{experiment.Augmentation}\" is one family of the heavy preset; a search's default pipeline takes none, standard or heavy.");
        TrainingBudget t = experiment.Training;
        var options = new SegmentationPipelineOptions
        {
            Preprocessing = experiment.Preprocessing,
            Augmentation = new AugmentationOptions { Name = experiment.Augmentation },
            Trainer = new SegmentationTrainerOptions
            {
                Epochs = t.Epochs, IterationsPerEpoch = t.IterationsPerEpoch, BatchSize = t.BatchSize, LearningRate = t.LearningRate,
                EarlyStoppingPatience = t.Patience, Threads = t.Threads, Seed = experiment.Seeds[0],
                Network = experiment.Model.ToNetwork(),
                Dann = experiment.Model.IsDann ? new DannOptions { MaxLambda = experiment.Model.MaxLambda } : null,
            },
        };
        if (search.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{where}: $.search: must be an object.");
        Known(search, where, "$.search.", [.. SectionKeys]);
        int folds = 1, validationSlices = 0;
        if (search.TryGetProperty("validation", out var v))
        {
            if (v.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{where}: $.search.validation must be an object {{\"folds\": N, \"slices\": N}}.");
            Known(v, where, "$.search.validation.", "folds", "slices");
            if (v.TryGetProperty("folds", out var f)) folds = Int(f, where, "$.search.validation.folds");
            if (v.TryGetProperty("slices", out var sl)) validationSlices = Int(sl, where, "$.search.validation.slices");
        }
        if (folds < 1 || folds > train.Count) throw new MLCardiacException($"{where}: $.search.validation.folds must be in 1..{train.Count} (was {folds}).");
        if (validationSlices < 0) throw new MLCardiacException($"{where}: $.search.validation.slices must be ≥ 0 (was {validationSlices}).");
        if (search.TryGetProperty("base", out var b))
        {
            if (b.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{where}: $.search.base must be an object of trainer options.");
            var values = new List<KeyValuePair<string, object>>();
            foreach (var p in b.EnumerateObject())
            {
                if (StudyKeyOf.TryGetValue(p.Name, out string? studyKey))
                    throw new MLCardiacException($"{where}: $.search.base.{p.Name}: set it in {studyKey}, which the default pipeline of the search shares with the study.");
                if (!SectionBaseKeys.Contains(p.Name))
                    throw new MLCardiacException($"{where}: unknown key \"$.search.base.{p.Name}\" (known: {string.Join(", ", SectionBaseKeys)}).");
                values.Add(new(p.Name, ParameterAssignment.ReadValue(p.Value, null, p.Name)));
            }
            options = Wrap(where, "$.search.base", () => SegmentationSearchOptions.Apply(new ParameterAssignment(values), options));
        }
        Wrap(where, "$.training", () => { options.Trainer.Validate(); return 0; });
        var section = ReadSection(search, where, "$.search.", train.Count, options);
        return new SearchDefinition
        {
            Name = experiment.Id, DataPath = experiment.Data.Source == "path" ? experiment.Data.Path! : "",
            TrainVendors = train, TestVendors = test, Folds = folds, ValidationSlices = validationSlices,
            BaseOptions = options, Space = section.Space, Metric = section.Metric, Tuner = section.Tuner,
            Seed = section.Seed, Budget = section.Budget, Concurrency = section.Concurrency, IncludeDefault = section.IncludeDefault,
            AshaMinEpochs = section.AshaMinEpochs, AshaReductionFactor = section.AshaReductionFactor, Experiment = experiment,
        };
    }

    private sealed record Section(string Metric, TunerKind Tuner, int Seed, SearchBudget Budget, int Concurrency, bool IncludeDefault, int AshaMinEpochs, double AshaReductionFactor, SearchSpace Space);

    /// <summary>The keys of the <c>search</c> section; <paramref name="prefix"/> names them in messages.</summary>
    private static Section ReadSection(JsonElement search, string where, string prefix, int trainVendors, SegmentationPipelineOptions options)
    {
        string metric = search.TryGetProperty("metric", out var m) ? Str(m, where, prefix + "metric") : "meanDice";
        if (metric is not ("meanDice" or "lv" or "myo" or "rv")) throw new MLCardiacException($"{where}: {prefix}metric \"{metric}\" is not meanDice, lv, myo or rv.");
        TunerKind tuner = search.TryGetProperty("tuner", out var t) ? Wrap(where, prefix + "tuner", () => TunerKinds.Parse(Str(t, where, prefix + "tuner"))) : TunerKind.CfoAsha;
        int seed = search.TryGetProperty("seed", out var s) ? Int(s, where, prefix + "seed") : 1;
        int? maxTrials = null;
        TimeSpan? time = null;
        if (search.TryGetProperty("budget", out var bu))
        {
            if (bu.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{where}: {prefix}budget must be an object {{\"trials\": N, \"time\": \"20m\"}}.");
            Known(bu, where, prefix + "budget.", "trials", "time");
            if (bu.TryGetProperty("trials", out var tr)) maxTrials = Int(tr, where, prefix + "budget.trials");
            if (bu.TryGetProperty("time", out var tm)) time = Wrap(where, prefix + "budget.time", () => SearchBudget.ParseDuration(Str(tm, where, prefix + "budget.time")));
        }
        var budget = new SearchBudget(maxTrials ?? (time is null ? 20 : null), time);
        Wrap(where, prefix + "budget", () => { budget.Validate(); return 0; });
        int concurrency = search.TryGetProperty("concurrency", out var c) ? Int(c, where, prefix + "concurrency") : 1;
        if (concurrency < 1) throw new MLCardiacException($"{where}: {prefix}concurrency must be ≥ 1 (was {concurrency}).");
        bool includeDefault = !search.TryGetProperty("includeDefault", out var inc) || Bool(inc, where, prefix + "includeDefault");
        int ashaMin = AshaScheduler.DefaultMinEpochs;
        double eta = AshaScheduler.DefaultReductionFactor;
        if (search.TryGetProperty("asha", out var asha))
        {
            if (asha.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{where}: {prefix}asha must be an object.");
            Known(asha, where, prefix + "asha.", "minEpochs", "reductionFactor");
            if (asha.TryGetProperty("minEpochs", out var me)) ashaMin = Int(me, where, prefix + "asha.minEpochs");
            if (asha.TryGetProperty("reductionFactor", out var rf)) eta = Num(rf, where, prefix + "asha.reductionFactor");
        }
        SearchSpace space = search.TryGetProperty("parameters", out var ps)
            ? SearchSpace.FromJson(ps, where)
            : SearchSpace.FromOptions<SegmentationSearchOptions>();
        SegmentationSearchOptions.CheckNames(space, where);
        space = WithBaseDefaults(space, options, where, prefix);
        if ((space.Find("dann") is not null || options.Trainer.Dann is not null) && trainVendors < 3)
            throw new MLCardiacException($"{where}: DANN needs two training vendors in every fold, so split.trainVendors needs at least three when \"dann\" can be on (has {trainVendors}).");
        return new Section(metric, tuner, seed, budget, concurrency, includeDefault, ashaMin, eta, space);
    }

    /// <summary>Parameters declared without a default take the base pipeline's value, so "default" means the base pipeline.</summary>
    private static SearchSpace WithBaseDefaults(SearchSpace space, SegmentationPipelineOptions pipeline, string where, string prefix)
    {
        SegmentationTrainerOptions o = pipeline.Trainer;
        object? BaseValue(string name) => name switch
        {
            "epochs" => o.Epochs,
            "learningRate" => o.LearningRate,
            "baseFilters" => o.Network.BaseFilters,
            "depth" => o.Network.Depth,
            "normalization" => o.Network.Normalization.ToString().ToLowerInvariant(),
            "augmentation" => pipeline.Augmentation.Name,
            "augmentationStrength" => pipeline.Augmentation.Strength,
            "dann" => o.Dann is not null,
            "maxLambda" => o.Dann?.MaxLambda ?? 0.3,
            "diceWeight" => o.DiceWeight,
            "crossEntropyWeight" => o.CrossEntropyWeight,
            "batchSize" => o.BatchSize,
            "weightDecay" => o.WeightDecay,
            "dropout" => o.Network.Dropout,
            "foregroundOversampling" => o.ForegroundOversampling,
            _ => null,
        };
        var list = space.Parameters.Select(p =>
        {
            if (p.Default is not null) return p;
            object? v = BaseValue(p.Name);
            if (v is int i && p.Kind == ParameterKind.Real) v = (double)i;
            if (v is double d && p.Kind == ParameterKind.Integer && d == Math.Round(d)) v = (int)d;
            return v is not null && p.Contains(v) ? p with { Default = v } : p;
        });
        return Wrap(where, prefix + "parameters", () => new SearchSpace(list));
    }

    private static T Wrap<T>(string where, string key, Func<T> f)
    {
        try { return f(); }
        catch (MLCardiacException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal)) { throw new MLCardiacException($"{where}: {key}: {e.Message}", e); }
        catch (ArgumentException e) { throw new MLCardiacException($"{where}: {key}: {e.Message}", e); }
    }

    private static void Known(JsonElement e, string where, string prefix, params string[] known)
    {
        foreach (var p in e.EnumerateObject())
            if (!known.Contains(p.Name)) throw new MLCardiacException($"{where}: unknown key \"{prefix}{p.Name}\" (known: {string.Join(", ", known)}).");
    }

    private static string Str(JsonElement e, string where, string key) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new MLCardiacException($"{where}: {key} must be a string.");

    private static int Int(JsonElement e, string where, string key) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v : throw new MLCardiacException($"{where}: {key} must be a whole number.");

    private static double Num(JsonElement e, string where, string key) =>
        e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw new MLCardiacException($"{where}: {key} must be a number.");

    private static bool Bool(JsonElement e, string where, string key) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new MLCardiacException($"{where}: {key} must be true or false."),
    };

    /// <summary>
    /// The dataset's labeled records of the training vendors and of the test vendors, and all its vendors; throws
    /// <see cref="MLCardiacException"/> when the folder is unresolved, a named vendor is missing, or no training subject is labeled.
    /// </summary>
    public (IReadOnlyList<Data.CaseRecord> Train, IReadOnlyList<Data.CaseRecord> Test, IReadOnlyList<string> Vendors) LabeledRecords()
    {
        if (string.IsNullOrEmpty(DataPath))
            throw new MLCardiacException($"Search \"{Name}\": the dataset folder is not resolved (SearchDefinition.ResolveData generates the pipeline's synthetic data).");
        Data.DatasetIndex index = Data.DatasetLayouts.Load(DataPath);
        foreach (string v in TrainVendors.Concat(TestVendors))
            if (!index.Vendors.Contains(v)) throw new MLCardiacException($"{DataPath}: vendor \"{v}\" is not in the dataset (it has {string.Join(", ", index.Vendors)}).");
        var labeled = index.Records.Where(r => r.IsLabeled).ToList();
        var train = labeled.Where(r => TrainVendors.Contains(r.Vendor)).ToList();
        if (train.Count == 0) throw new MLCardiacException($"{DataPath}: no labeled subject of the training vendors {string.Join(", ", TrainVendors)}.");
        return (train, labeled.Where(r => TestVendors.Contains(r.Vendor)).ToList(), index.Vendors);
    }
}
