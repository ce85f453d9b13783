using System.Globalization;
using System.Text.Json;
using MLCardiac.Augmentation;
using MLCardiac.Models;
using MLCardiac.Training;

namespace MLCardiac.Search;

/// <summary>
/// A search pipeline file (<c>pipelines/search-*.json</c>), documented key by key in pipelines/README-search.md:
/// <c>data</c> (path, size, spacingMm), <c>split</c> (trainVendors, testVendors, folds), <c>base</c> (the default
/// pipeline's trainer options) and <c>search</c> (metric, tuner, seed, budget, concurrency, includeDefault, asha,
/// parameters). Its own format for now; to be folded into the study's pipeline schema.
/// </summary>
public sealed record SearchDefinition
{
    /// <summary>Version of this file format.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Name of the search (the default search id and report folder).</summary>
    public required string Name { get; init; }
    /// <summary>Dataset folder (relative paths are relative to the current directory).</summary>
    public required string DataPath { get; init; }
    /// <summary>Slice side in pixels.</summary>
    public int Size { get; init; } = 64;
    /// <summary>In-plane spacing after resampling, mm.</summary>
    public double SpacingMm { get; init; } = 1.25;
    /// <summary>Vendors whose labeled subjects train (and, left out one at a time, validate) the pipelines.</summary>
    public required IReadOnlyList<string> TrainVendors { get; init; }
    /// <summary>Vendors kept for the final test only; never seen during the search.</summary>
    public required IReadOnlyList<string> TestVendors { get; init; }
    /// <summary>Leave-one-training-vendor-out folds per trial (1 … number of training vendors).</summary>
    public int Folds { get; init; } = 1;
    /// <summary>At most this many validation slices per fold (evenly spaced through the held-out vendor's slices); 0: all.</summary>
    public int ValidationSlices { get; init; }
    /// <summary>Trainer options of the default pipeline; searched parameters override them.</summary>
    public required SegmentationTrainerOptions BaseOptions { get; init; }
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

    /// <summary>Reads and checks a search pipeline file.</summary>
    /// <exception cref="MLCardiacException">The file is missing, not JSON, or a key is wrong (named with the file).</exception>
    public static SearchDefinition Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new MLCardiacException($"{path}: not found.");
        string text = File.ReadAllText(path);
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return Parse(doc.RootElement, path, Path.GetFileNameWithoutExtension(path));
        }
        catch (JsonException e)
        {
            throw new MLCardiacException($"{path}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Parses a search pipeline from <paramref name="root"/>; <paramref name="where"/> names it in messages.</summary>
    public static SearchDefinition Parse(JsonElement root, string where, string fallbackName)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{where}: the file must hold a JSON object.");
        Known(root, where, "", "schemaVersion", "name", "description", "data", "split", "base", "search");
        int version = root.TryGetProperty("schemaVersion", out var sv) ? Int(sv, where, "schemaVersion") : CurrentSchemaVersion;
        if (version != CurrentSchemaVersion) throw new MLCardiacException($"{where}: schemaVersion {version} is not supported (this version reads {CurrentSchemaVersion}).");
        string name = root.TryGetProperty("name", out var n) ? Str(n, where, "name") : fallbackName;
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('/', StringComparison.Ordinal))
            throw new MLCardiacException($"{where}: name \"{name}\" must be a plain file name.");

        var data = Obj(root, "data", where);
        Known(data, where, "data.", "path", "size", "spacingMm");
        string dataPath = data.TryGetProperty("path", out var dp) ? Str(dp, where, "data.path") : throw new MLCardiacException($"{where}: data.path is missing.");
        int size = data.TryGetProperty("size", out var sz) ? Int(sz, where, "data.size") : 64;
        double spacing = data.TryGetProperty("spacingMm", out var sp) ? Num(sp, where, "data.spacingMm") : 1.25;
        if (size < 16) throw new MLCardiacException($"{where}: data.size must be ≥ 16 (was {size}).");
        if (!(spacing > 0)) throw new MLCardiacException($"{where}: data.spacingMm must be > 0 (was {spacing}).");

        var split = Obj(root, "split", where);
        Known(split, where, "split.", "trainVendors", "testVendors", "folds", "validationSlices");
        var train = StrList(split, "trainVendors", where);
        var test = StrList(split, "testVendors", where);
        if (train.Count < 2) throw new MLCardiacException($"{where}: split.trainVendors needs at least two vendors (one is left out for validation).");
        if (train.Intersect(test).FirstOrDefault() is { } both) throw new MLCardiacException($"{where}: vendor \"{both}\" is both a training and a test vendor.");
        int folds = split.TryGetProperty("folds", out var f) ? Int(f, where, "split.folds") : 1;
        if (folds < 1 || folds > train.Count) throw new MLCardiacException($"{where}: split.folds must be in 1..{train.Count} (was {folds}).");

        int validationSlices = split.TryGetProperty("validationSlices", out var vs) ? Int(vs, where, "split.validationSlices") : 0;
        if (validationSlices < 0) throw new MLCardiacException($"{where}: split.validationSlices must be ≥ 0 (was {validationSlices}).");
        var options = ParseBase(root.TryGetProperty("base", out var b) ? b : default, where);

        var search = Obj(root, "search", where);
        Known(search, where, "search.", "metric", "tuner", "seed", "budget", "concurrency", "includeDefault", "asha", "parameters");
        string metric = search.TryGetProperty("metric", out var m) ? Str(m, where, "search.metric") : "meanDice";
        if (metric is not ("meanDice" or "lv" or "myo" or "rv")) throw new MLCardiacException($"{where}: search.metric \"{metric}\" is not meanDice, lv, myo or rv.");
        TunerKind tuner = search.TryGetProperty("tuner", out var t) ? Wrap(where, "search.tuner", () => TunerKinds.Parse(Str(t, where, "search.tuner"))) : TunerKind.CfoAsha;
        int seed = search.TryGetProperty("seed", out var s) ? Int(s, where, "search.seed") : 1;
        int? maxTrials = null;
        TimeSpan? time = null;
        if (search.TryGetProperty("budget", out var bu))
        {
            if (bu.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{where}: search.budget must be an object {{\"trials\": N, \"time\": \"20m\"}}.");
            Known(bu, where, "search.budget.", "trials", "time");
            if (bu.TryGetProperty("trials", out var tr)) maxTrials = Int(tr, where, "search.budget.trials");
            if (bu.TryGetProperty("time", out var tm)) time = Wrap(where, "search.budget.time", () => SearchBudget.ParseDuration(Str(tm, where, "search.budget.time")));
        }
        var budget = new SearchBudget(maxTrials ?? (time is null ? 20 : null), time);
        Wrap(where, "search.budget", () => { budget.Validate(); return 0; });
        int concurrency = search.TryGetProperty("concurrency", out var c) ? Int(c, where, "search.concurrency") : 1;
        if (concurrency < 1) throw new MLCardiacException($"{where}: search.concurrency must be ≥ 1 (was {concurrency}).");
        bool includeDefault = !search.TryGetProperty("includeDefault", out var inc) || Bool(inc, where, "search.includeDefault");
        int ashaMin = AshaScheduler.DefaultMinEpochs;
        double eta = AshaScheduler.DefaultReductionFactor;
        if (search.TryGetProperty("asha", out var asha))
        {
            if (asha.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{where}: search.asha must be an object.");
            Known(asha, where, "search.asha.", "minEpochs", "reductionFactor");
            if (asha.TryGetProperty("minEpochs", out var me)) ashaMin = Int(me, where, "search.asha.minEpochs");
            if (asha.TryGetProperty("reductionFactor", out var rf)) eta = Num(rf, where, "search.asha.reductionFactor");
        }
        SearchSpace space = search.TryGetProperty("parameters", out var ps)
            ? SearchSpace.FromJson(ps, where)
            : SearchSpace.FromOptions<SegmentationSearchOptions>();
        SegmentationSearchOptions.CheckNames(space, where);
        space = WithBaseDefaults(space, options, where);
        if ((space.Find("dann") is not null || options.Dann is not null) && train.Count < 3)
            throw new MLCardiacException($"{where}: DANN needs two training vendors in every fold, so split.trainVendors needs at least three when \"dann\" can be on (has {train.Count}).");
        return new SearchDefinition
        {
            Name = name, DataPath = dataPath, Size = size, SpacingMm = spacing, TrainVendors = train, TestVendors = test, Folds = folds, ValidationSlices = validationSlices,
            BaseOptions = options with { SliceSpacingMm = spacing }, Space = space, Metric = metric, Tuner = tuner, Seed = seed, Budget = budget,
            Concurrency = concurrency, IncludeDefault = includeDefault, AshaMinEpochs = ashaMin, AshaReductionFactor = eta,
        };
    }

    /// <summary>Parameters declared without a default take the base pipeline's value, so "default" means the base pipeline.</summary>
    private static SearchSpace WithBaseDefaults(SearchSpace space, SegmentationTrainerOptions o, string where)
    {
        object? BaseValue(string name) => name switch
        {
            "epochs" => o.Epochs,
            "learningRate" => o.LearningRate,
            "baseFilters" => o.Network.BaseFilters,
            "depth" => o.Network.Depth,
            "normalization" => o.Network.Normalization.ToString().ToLowerInvariant(),
            "augmentation" => o.Augmentation.ToString().ToLowerInvariant(),
            "augmentationStrength" => 1.0,
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
        return Wrap(where, "search.parameters", () => new SearchSpace(list));
    }

    private static SegmentationTrainerOptions ParseBase(JsonElement b, string where)
    {
        var o = new SegmentationTrainerOptions { Epochs = 6, Augmentation = AugmentationPreset.Standard };
        if (b.ValueKind == JsonValueKind.Undefined) return o;
        if (b.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{where}: base must be an object of trainer options.");
        Known(b, where, "base.", [.. SegmentationSearchOptions.KnownParameters, "iterationsPerEpoch", "seed", "threads"]);
        var values = new List<KeyValuePair<string, object>>();
        foreach (var p in b.EnumerateObject())
        {
            if (p.Name is "iterationsPerEpoch" or "seed" or "threads") continue;
            values.Add(new(p.Name, ParameterAssignment.ReadValue(p.Value, null, p.Name)));
        }
        var (options, _) = Wrap(where, "base", () => SegmentationSearchOptions.Apply(new ParameterAssignment(values), o));
        if (b.TryGetProperty("iterationsPerEpoch", out var it)) options = options with { IterationsPerEpoch = Int(it, where, "base.iterationsPerEpoch") };
        if (b.TryGetProperty("seed", out var sd)) options = options with { Seed = Int(sd, where, "base.seed") };
        if (b.TryGetProperty("threads", out var th)) options = options with { Threads = Int(th, where, "base.threads") };
        Wrap(where, "base", () => { options.Validate(); return 0; });
        return options;
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

    private static JsonElement Obj(JsonElement root, string key, string where) =>
        root.TryGetProperty(key, out var e) && e.ValueKind == JsonValueKind.Object ? e : throw new MLCardiacException($"{where}: \"{key}\" is missing or not an object.");

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

    private static List<string> StrList(JsonElement e, string key, string where)
    {
        if (!e.TryGetProperty(key, out var a) || a.ValueKind != JsonValueKind.Array || a.GetArrayLength() == 0)
            throw new MLCardiacException($"{where}: split.{key} must be a non-empty array of vendor codes.");
        return a.EnumerateArray().Select((v, i) => Str(v, where, $"split.{key}[{i.ToString(CultureInfo.InvariantCulture)}]")).ToList();
    }
}
