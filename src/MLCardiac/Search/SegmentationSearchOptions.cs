using Microsoft.ML.SearchSpace;
using MLCardiac.Augmentation;
using MLCardiac.Models;
using MLCardiac.ML;
using MLCardiac.Training;

namespace MLCardiac.Search;

/// <summary>
/// The segmentation pipeline's searchable options, declared in code with ML.NET's search-space attributes
/// (<c>Microsoft.ML.SearchSpace.Range/Choice/BooleanChoice</c>, which ship inside Microsoft.ML.Core) —
/// <c>SearchSpace.FromOptions&lt;SegmentationSearchOptions&gt;()</c> is the default space when a pipeline file
/// declares none. <see cref="Apply"/> turns an assignment of these names (camelCase) into a pipeline; it is
/// also what a pipeline file's <c>search.parameters</c> names must be.
/// </summary>
public sealed class SegmentationSearchOptions
{
    /// <summary>Epoch budget of a trial (drives cost).</summary>
    [Range(2, 12, 6, false)]
    [LowCost(2)]
    public int Epochs { get; set; } = 6;

    /// <summary>Initial learning rate (log scale).</summary>
    [Range(3e-4, 1e-2, 2e-3, true)]
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>Filters of the U-Net's first stage (drives cost).</summary>
    [Range(8, 32, 16, true)]
    [LowCost(8)]
    public int BaseFilters { get; set; } = 16;

    /// <summary>U-Net poolings.</summary>
    [Range(2, 5, 4, false)]
    public int Depth { get; set; } = 4;

    /// <summary>Normalisation after each convolution: instance, batch or group.</summary>
    [Choice(new object[] { "instance", "batch", "group" }, "instance")]
    public string Normalization { get; set; } = "instance";

    /// <summary>Augmentation preset: none, standard or heavy.</summary>
    [Choice(new object[] { "none", "standard", "heavy" }, "standard")]
    public string Augmentation { get; set; } = "standard";

    /// <summary>Multiplier of every augmentation step's probability (capped at 1).</summary>
    [Range(0.25, 2.0, 1.0, false)]
    [ActiveWhen(nameof(Augmentation), "standard", "heavy")]
    public double AugmentationStrength { get; set; } = 1;

    /// <summary>Domain-adversarial training across the training vendors.</summary>
    [BooleanChoice(false)]
    public bool Dann { get; set; }

    /// <summary>Largest gradient-reversal weight (only with DANN).</summary>
    [Range(0.05, 1.0, 0.3, true)]
    [ActiveWhen(nameof(Dann), true)]
    public double MaxLambda { get; set; } = 0.3;

    /// <summary>Weight of the cross-entropy term (the soft-Dice term has weight 1).</summary>
    [Range(0.1, 3.0, 1.0, true)]
    public double CrossEntropyWeight { get; set; } = 1;

    /// <summary>Labeled slices per batch.</summary>
    [Range(4, 16, 8, true)]
    public int BatchSize { get; set; } = 8;

    /// <summary>Names <see cref="Apply"/> understands.</summary>
    public static IReadOnlyList<string> KnownParameters { get; } =
    [
        "epochs", "learningRate", "baseFilters", "depth", "normalization", "augmentation", "augmentationStrength", "dann", "maxLambda",
        "diceWeight", "crossEntropyWeight", "batchSize", "weightDecay", "dropout", "foregroundOversampling",
    ];

    /// <summary>Checks that every parameter of <paramref name="space"/> is one <see cref="Apply"/> understands.</summary>
    /// <exception cref="MLCardiacException">A name is unknown.</exception>
    public static void CheckNames(SearchSpace space, string where)
    {
        ArgumentNullException.ThrowIfNull(space);
        foreach (var p in space.Parameters)
            if (!KnownParameters.Contains(p.Name))
                throw new MLCardiacException($"{where}: search parameter \"{p.Name}\" is not an option of the segmentation pipeline (known: {string.Join(", ", KnownParameters)}).");
    }

    /// <summary>
    /// <paramref name="baseOptions"/> — the default pipeline — with the values of <paramref name="parameters"/> applied.
    /// Parameters absent from the assignment keep the base value.
    /// </summary>
    public static SegmentationPipelineOptions Apply(ParameterAssignment parameters, SegmentationPipelineOptions baseOptions)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(baseOptions);
        foreach (string k in parameters.Keys)
            if (!KnownParameters.Contains(k)) throw new MLCardiacException($"Parameter \"{k}\" is not an option of the segmentation pipeline (known: {string.Join(", ", KnownParameters)}).");
        SegmentationTrainerOptions trainer = baseOptions.Trainer;
        var net = trainer.Network;
        int baseFilters = parameters.GetInt("baseFilters", net.BaseFilters);
        NormalizationKind norm = parameters.TryGetValue("normalization", out object? n) ? ParseNormalization(SearchParameter.Format(n)) : net.Normalization;
        // Group normalisation needs a group count that divides every stage: the largest divisor of the base filters ≤ 8.
        int groups = norm == NormalizationKind.Group ? Enumerable.Range(1, 8).Where(g => baseFilters % g == 0).Max() : net.Groups;
        net = net with
        {
            BaseFilters = baseFilters,
            Depth = parameters.GetInt("depth", net.Depth),
            Normalization = norm,
            Groups = groups,
            Dropout = parameters.GetDouble("dropout", net.Dropout),
        };
        bool dann = parameters.GetBool("dann", trainer.Dann is not null);
        DannOptions? dannOptions = dann ? (trainer.Dann ?? new DannOptions()) with { MaxLambda = parameters.GetDouble("maxLambda", trainer.Dann?.MaxLambda ?? 0.3) } : null;
        string augmentation = parameters.TryGetValue("augmentation", out object? a) ? SearchParameter.Format(a).ToLowerInvariant() : baseOptions.Augmentation.Name;
        var options = baseOptions with
        {
            Augmentation = new AugmentationOptions { Name = augmentation, Strength = parameters.GetDouble("augmentationStrength", baseOptions.Augmentation.Strength) },
            Trainer = trainer with
            {
                Network = net,
                Dann = dannOptions,
                Epochs = parameters.GetInt("epochs", trainer.Epochs),
                LearningRate = parameters.GetDouble("learningRate", trainer.LearningRate),
                BatchSize = parameters.GetInt("batchSize", trainer.BatchSize),
                DiceWeight = parameters.GetDouble("diceWeight", trainer.DiceWeight),
                CrossEntropyWeight = parameters.GetDouble("crossEntropyWeight", trainer.CrossEntropyWeight),
                WeightDecay = parameters.GetDouble("weightDecay", trainer.WeightDecay),
                ForegroundOversampling = parameters.GetDouble("foregroundOversampling", trainer.ForegroundOversampling),
            },
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new MLCardiacException($"Parameters {{{parameters}}} give an invalid pipeline: {e.Message}", e);
        }
        return options;
    }

    private static NormalizationKind ParseNormalization(string name) => name.ToLowerInvariant() switch
    {
        "instance" => NormalizationKind.Instance,
        "batch" => NormalizationKind.Batch,
        "group" => NormalizationKind.Group,
        _ => throw new MLCardiacException($"Normalization \"{name}\" is not instance, batch or group."),
    };
}
