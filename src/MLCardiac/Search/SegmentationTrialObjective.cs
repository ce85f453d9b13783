using Microsoft.ML;
using MLCardiac.Data;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Preprocessing;
using MLCardiac.Training;

namespace MLCardiac.Search;

/// <summary>
/// Evaluates a configuration of the segmentation pipeline with the TorchSharp trainer
/// (<see cref="SegmentationTrainer"/>): leave-one-training-vendor-out — train on the other training vendors'
/// labeled subjects, validate (slice Dice per epoch) on the held-out vendor; the test vendors are never loaded
/// for a trial. With several folds the trial's metric is the mean of the folds' best-epoch metrics, and the
/// per-epoch reports (ASHA's rungs) come from the first fold, which every trial shares.
/// </summary>
public sealed class SegmentationTrialObjective : IRefittableObjective
{
    private readonly SearchDefinition _definition;
    private readonly Lazy<Prepared> _prepared;
    private readonly IProgress<string>? _log;

    private sealed record Prepared(IReadOnlyList<string> Domains, IReadOnlyList<PreparedCase> Train, IReadOnlyList<CaseRecord> TestRecords);

    /// <summary>Creates the objective; the data are loaded and preprocessed once, on first use.</summary>
    /// <param name="definition">The search pipeline.</param>
    /// <param name="log">Receives one-line notes (data loaded, refit steps).</param>
    public SegmentationTrialObjective(SearchDefinition definition, IProgress<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _definition = definition;
        _log = log;
        _prepared = new Lazy<Prepared>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc/>
    public string MetricName => _definition.Metric;

    /// <inheritdoc/>
    public bool Maximize => true;

    /// <summary>Loads and preprocesses the training vendors' labeled subjects now (otherwise done by the first trial).</summary>
    public void Prepare() => _ = _prepared.Value;

    private Prepared Load()
    {
        var (train, test, vendors) = _definition.LabeledRecords();
        var prep = new CasePreparation(new Preprocessor(Preprocessing));
        var cases = prep.Prepare(train, includeLabels: true);
        _log?.Report($"loaded {train.Select(r => r.Subject).Distinct().Count()} training subjects of {string.Join(", ", _definition.TrainVendors)}");
        return new Prepared(vendors, cases, test);
    }

    private PreprocessingOptions Preprocessing => new() { Size = _definition.Size, SpacingMm = _definition.SpacingMm };

    /// <inheritdoc/>
    public TrialEvaluation Evaluate(TrialContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = _prepared.Value;
        var (options, augmenter) = SegmentationSearchOptions.Apply(context.Parameters,
            _definition.BaseOptions with { Seed = context.Seed, Threads = context.Threads, Epochs = context.Epochs });
        var details = new Dictionary<string, double>(StringComparer.Ordinal);
        var foldMetrics = new List<double>();
        for (int fold = 0; fold < _definition.Folds; fold++)
        {
            string heldOut = _definition.TrainVendors[fold];
            var trainSet = CasePreparation.ToSlices(data.Train.Where(c => c.Record.Vendor != heldOut), data.Domains);
            var valSet = CasePreparation.ToSlices(data.Train.Where(c => c.Record.Vendor == heldOut), data.Domains);
            if (_definition.ValidationSlices > 0 && valSet.Slices.Count > _definition.ValidationSlices)
            {
                double stride = (double)valSet.Slices.Count / _definition.ValidationSlices;
                valSet = new SliceDataset(Enumerable.Range(0, _definition.ValidationSlices).Select(i => valSet.Slices[(int)(i * stride)]).ToList(), valSet.Domains);
            }
            using var stopCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reporter = new ValidationMetric.EpochReporter(context, _definition.Metric, reports: fold == 0, stopCts);
            TrainingResult result;
            try
            {
                var trainer = new SegmentationTrainer(options, augmenter) { EpochCompleted = reporter.Report };
                result = trainer.Fit(trainSet, valSet, checkpointDirectory: null, resume: false, progress: null, stopCts.Token);
            }
            catch (OperationCanceledException) when (context.StopRequested && !cancellationToken.IsCancellationRequested)
            {
                return new TrialEvaluation(reporter.Best, null, details);
            }
            using (result)
            {
                foldMetrics.Add(ValidationMetric.SummarizeFold(_definition.Metric, result.History, result.BestEpoch, fold, heldOut, details));
            }
            if (context.StopRequested) break;
        }
        return new TrialEvaluation(foldMetrics.Average(), null, details);
    }

    /// <summary>Name of the ML.NET model file a refit writes in its folder.</summary>
    public const string ModelFile = "model.zip";

    /// <summary>
    /// Fits <paramref name="parameters"/> as an ML.NET pipeline of the catalog (<c>LoadNifti → Preprocess → [Augment] →
    /// UNet | Dann</c>, <see cref="CardiacSegmentationCatalog"/>) on every training vendor's labeled subjects (no
    /// validation: the last epoch's weights), saves it with <see cref="CardiacSegmentationCatalog.SaveModel"/> as
    /// <see cref="ModelFile"/> — plus the same network as a model folder (<c>model.json</c> + <c>best.weights</c>) for
    /// <c>mlcardiac predict</c>/<c>serve</c> — then loads that file back with <see cref="CardiacSegmentationCatalog.LoadModel"/>
    /// in a fresh <see cref="MLContext"/> and evaluates it in 3D on the test vendors' subjects with
    /// <see cref="CardiacSegmentationCatalog.Evaluate"/>: metrics "&lt;vendor&gt;/meanDice", "&lt;vendor&gt;/lv|myo|rv" and
    /// "test/meanDice", one <see cref="RefitCase"/> per test case.
    /// </summary>
    /// <remarks>
    /// Everything is written into a staging folder beside <paramref name="directory"/> and moved in (file by file, each
    /// move atomic) only once the test evaluation has finished: a cancelled or failed refit leaves no model file behind.
    /// The pipeline normalises intensities per frame (src/MLCardiac/ML/README.md) where the trials' prepared slices are
    /// normalised per cine — the only difference between a trial's training and the refit's. DANN is refitted without
    /// target data, its domain head separating the training vendors, as in the trials.
    /// </remarks>
    public RefitResult Refit(ParameterAssignment parameters, string directory, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var data = _prepared.Value;
        return CatalogPipeline.Refit(_definition, data.Train.Select(c => c.Record).ToList(), data.TestRecords, parameters, directory, progress ?? _log, cancellationToken);
    }

    /// <summary>
    /// Loads the ML.NET model file <paramref name="modelFile"/> in a fresh <see cref="MLContext"/> and evaluates it in 3D on
    /// <paramref name="records"/> with <see cref="CardiacSegmentationCatalog.Evaluate"/> — what a refit reports.
    /// </summary>
    public static SegmentationMetrics EvaluateModelFile(string modelFile, IEnumerable<CaseRecord> records, int seed, CancellationToken cancellationToken = default) =>
        CatalogPipeline.EvaluateModelFile(modelFile, records, seed, cancellationToken);
}
