using System.Text.Json;
using System.Text.Json.Serialization;
using MLCardiac.IO;

namespace MLCardiac.Experiments;

/// <summary>
/// Everything a finished study saved: the resolved experiment, each arm's result and the vendor classifier's.
/// <see cref="Load"/> reads it back from <c>reports/&lt;id&gt;/</c>, so the report can be regenerated without training.
/// </summary>
public sealed record StudyResults
{
    /// <summary>File with the resolved experiment in the report folder.</summary>
    public const string ExperimentFile = "experiment.json";
    /// <summary>Per-unit result file name.</summary>
    public const string ResultFile = "result.json";
    /// <summary>Completed-unit marker, written last.</summary>
    public const string DoneFile = "done.json";
    /// <summary>Folder of the per-arm results inside the report folder.</summary>
    public const string ArmsFolder = "arms";
    /// <summary>Folder of the vendor-classifier result inside the report folder (and its unit's name).</summary>
    public const string ClassifierFolder = "vendor-classifier";

    /// <summary>
    /// The unit (and folder) of the classifier of <paramref name="kind"/> in a study whose classifier is
    /// <paramref name="definition"/>: <see cref="ClassifierFolder"/> for its own type, <c>vendor-classifier-TYPE</c> for a
    /// comparison (<see cref="VendorClassifierDefinition.Compare"/>).
    /// </summary>
    public static string ClassifierUnit(VendorClassifierDefinition definition, Models.ClassifierKind kind) =>
        kind == (definition ?? throw new ArgumentNullException(nameof(definition))).Type ? ClassifierFolder : $"{ClassifierFolder}-{Models.ClassifierNetworkOptions.KindName(kind)}";

    /// <summary>Every classifier unit of <paramref name="definition"/>: its own type first, then the comparisons.</summary>
    public static IReadOnlyList<string> ClassifierUnits(VendorClassifierDefinition? definition) =>
        definition is null ? [] : [ClassifierFolder, .. definition.Compare.Select(k => ClassifierUnit(definition, k))];

    /// <summary>JSON options for every results file (NaN written as "NaN").</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        IncludeFields = true,
    };

    /// <summary>The resolved experiment.</summary>
    public required ExperimentDefinition Experiment { get; init; }
    /// <summary>Finished arm × seed results, in the experiment's order.</summary>
    public required IReadOnlyList<ArmRunResult> Arms { get; init; }
    /// <summary>The vendor classifier's result, when the experiment has one and it finished.</summary>
    public VendorClassifierResult? VendorClassifier { get; init; }
    /// <summary>The finished comparison classifiers (<see cref="VendorClassifierDefinition.Compare"/>), in their order.</summary>
    public IReadOnlyList<VendorClassifierResult> ClassifierComparisons { get; init; } = [];
    /// <summary>Wall time of the run that produced the report (this session only), s.</summary>
    public double WallSeconds { get; init; }

    /// <summary>The folder of one unit's result inside <paramref name="reportDirectory"/>.</summary>
    public static string ArmDirectory(string reportDirectory, string arm, int seed) => Path.Combine(reportDirectory, ArmsFolder, arm, $"seed-{seed}");

    /// <summary>Reads a study's results from its report folder.</summary>
    /// <exception cref="MLCardiacException">The folder holds no experiment, or a result file cannot be read.</exception>
    public static StudyResults Load(string reportDirectory)
    {
        ArgumentNullException.ThrowIfNull(reportDirectory);
        string experimentPath = Path.Combine(reportDirectory, ExperimentFile);
        if (!File.Exists(experimentPath))
            throw new MLCardiacException($"{reportDirectory}: not a study report folder ({ExperimentFile} is missing; run `mlcardiac run pipelines/NAME.json` first).");
        var experiment = Read<ExperimentDefinition>(experimentPath);
        var arms = new List<ArmRunResult>();
        foreach (ArmDefinition arm in experiment.Arms)
            foreach (int seed in experiment.Seeds)
            {
                string dir = ArmDirectory(reportDirectory, arm.Name, seed);
                if (File.Exists(Path.Combine(dir, DoneFile))) arms.Add(Read<ArmRunResult>(Path.Combine(dir, ResultFile)));
            }
        VendorClassifierResult? Classifier(string unit)
        {
            string folder = Path.Combine(reportDirectory, unit);
            return File.Exists(Path.Combine(folder, DoneFile)) ? Read<VendorClassifierResult>(Path.Combine(folder, ResultFile)) : null;
        }
        VendorClassifierResult? vc = Classifier(ClassifierFolder);
        VendorClassifierResult[] comparisons = [.. ClassifierUnits(experiment.VendorClassifier).Skip(1).Select(Classifier).OfType<VendorClassifierResult>()];
        double wall = 0;
        string timing = Path.Combine(reportDirectory, "timing.json");
        if (File.Exists(timing)) wall = Read<JsonElement>(timing).GetProperty("wallSeconds").GetDouble();
        return new StudyResults { Experiment = experiment, Arms = arms, VendorClassifier = vc, ClassifierComparisons = comparisons, WallSeconds = wall };
    }

    /// <summary>Reads one JSON results file.</summary>
    public static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new MLCardiacException($"{path}: empty.");
        }
        catch (JsonException ex)
        {
            throw new MLCardiacException($"{path}: cannot be read ({ex.Message}).", ex);
        }
    }

    /// <summary>Writes one JSON results file atomically.</summary>
    public static void Write<T>(string path, T value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Json));
    }
}
