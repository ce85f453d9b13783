namespace MLCardiac.Search;

/// <summary>
/// What a search evaluates: one trial of one configuration. The seam between the search and the pipeline —
/// today <see cref="SegmentationTrialObjective"/> (the TorchSharp trainer); an ML.NET pipeline can implement it
/// the same way. Implementations are called from several threads at once (one trial each) when the
/// search runs trials concurrently.
/// </summary>
public interface ITrialObjective
{
    /// <summary>Name of the metric <see cref="TrialEvaluation.Metric"/> holds (e.g. "meanDice").</summary>
    string MetricName { get; }

    /// <summary>True when a larger metric is better.</summary>
    bool Maximize { get; }

    /// <summary>
    /// Runs the trial: trains up to <see cref="TrialContext.Epochs"/> epochs, calling
    /// <see cref="TrialContext.Report"/> after each epoch with the metric so far; when that returns false the
    /// trial has been stopped early and should return what it has (or throw <see cref="OperationCanceledException"/>).
    /// </summary>
    TrialEvaluation Evaluate(TrialContext context, CancellationToken cancellationToken);
}

/// <summary>An objective that can also train the chosen configuration on all training data and test it.</summary>
public interface IRefittableObjective : ITrialObjective
{
    /// <summary>
    /// Trains <paramref name="parameters"/> on all training data (no validation split), saves the model in
    /// <paramref name="directory"/> and evaluates it on the test data (never seen during the search). Notes go to
    /// <paramref name="progress"/> (null: the objective's own log). Cancelled, it leaves no model behind.
    /// </summary>
    RefitResult Refit(ParameterAssignment parameters, string directory, IProgress<string>? progress, CancellationToken cancellationToken);
}

/// <summary>A refitted pipeline: where it was saved and its test results.</summary>
/// <param name="ModelDirectory">Folder of the saved model.</param>
/// <param name="TestMetrics">Test metrics by name (e.g. "D/meanDice", "D/lv").</param>
/// <param name="Seconds">Wall time of training and testing.</param>
public sealed record RefitResult(string ModelDirectory, IReadOnlyDictionary<string, double> TestMetrics, double Seconds)
{
    /// <summary>The ML.NET model file the test metrics were measured with (read back from disk); null when the objective saves none.</summary>
    public string? ModelFile { get; init; }
    /// <summary>SHA-256 (hex) of <see cref="ModelFile"/>.</summary>
    public string? ModelSha256 { get; init; }
    /// <summary>Size of <see cref="ModelFile"/> in bytes.</summary>
    public long ModelBytes { get; init; }
    /// <summary>The fitted pipeline's stages in words (e.g. "LoadNifti → Preprocess(64 px, 1.25 mm) → Augment(standard) → UNet").</summary>
    public string? Pipeline { get; init; }
    /// <summary>One result per test case (subject × frame), in evaluation order.</summary>
    public IReadOnlyList<RefitCase> Cases { get; init; } = [];
}

/// <summary>The result of <see cref="ITrialObjective.Evaluate"/>.</summary>
/// <param name="Metric">The objective's metric at the end of the trial (for a validation Dice: the best epoch's).</param>
/// <param name="Cost">What the trial cost in the objective's unit; null: the search uses wall seconds.</param>
/// <param name="Details">Other metrics worth keeping (per-class Dice, per-fold values).</param>
public sealed record TrialEvaluation(double Metric, double? Cost = null, IReadOnlyDictionary<string, double>? Details = null);
