using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Data;
using MLCardiac.Imaging;
using MLCardiac.ML;
using MLCardiac.Training;

namespace MLCardiac.Search;

/// <summary>
/// Evaluates a configuration by fitting the ML.NET catalog pipeline (<c>LoadNifti → Preprocess → [Augment] → UNet | Dann</c>,
/// the chain the refit saves) — <c>mlcardiac search --engine mlnet</c>. Leave-one-training-vendor-out as
/// <see cref="SegmentationTrialObjective"/>: each fold fits on the other training vendors' labeled rows with the held-out
/// vendor's rows as the trainer's validation data; the validation Dice is reported after every epoch
/// (<see cref="UNetTrainerOptions.EpochCompleted"/>), and when ASHA stops the trial the trainer is cancelled there.
/// </summary>
/// <remarks>
/// Unlike <see cref="SegmentationTrialObjective"/>, which reads and preprocesses the training subjects once for the whole
/// search, every trial reads its case files through the pipeline (the catalog's stages are lazy and keep nothing between
/// fits), and intensities are normalised per frame as in the saved model. <see cref="SearchDefinition.ValidationSlices"/>
/// limits the validation cases: evenly spaced cases of the held-out vendor are taken until they hold that many slices.
/// </remarks>
public sealed class MlNetTrialObjective : IRefittableObjective
{
    private readonly SearchDefinition _definition;
    private readonly IProgress<string>? _log;
    private readonly Lazy<(IReadOnlyList<CaseRecord> Train, IReadOnlyList<CaseRecord> Test)> _records;

    /// <summary>Creates the objective; the dataset index is read on first use.</summary>
    /// <param name="definition">The search pipeline (its data resolved).</param>
    /// <param name="log">Receives one-line notes (refit steps).</param>
    public MlNetTrialObjective(SearchDefinition definition, IProgress<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _definition = definition;
        _log = log;
        _records = new Lazy<(IReadOnlyList<CaseRecord>, IReadOnlyList<CaseRecord>)>(Index, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc/>
    public string MetricName => _definition.Metric;

    /// <inheritdoc/>
    public bool Maximize => true;

    /// <summary>Reads the dataset index now (otherwise done by the first trial).</summary>
    public void Prepare() => _ = _records.Value;

    private (IReadOnlyList<CaseRecord>, IReadOnlyList<CaseRecord>) Index()
    {
        var (train, test, _) = _definition.LabeledRecords();
        return (train, test);
    }

    /// <inheritdoc/>
    public TrialEvaluation Evaluate(TrialContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (records, _) = _records.Value;
        var (options, augmenter) = SegmentationSearchOptions.Apply(context.Parameters,
            _definition.BaseOptions with { Seed = context.Seed, Threads = context.Threads, Epochs = context.Epochs });
        var details = new Dictionary<string, double>(StringComparer.Ordinal);
        var foldMetrics = new List<double>();
        for (int fold = 0; fold < _definition.Folds; fold++)
        {
            string heldOut = _definition.TrainVendors[fold];
            var cardiac = new MLContext(seed: options.Seed).CardiacSegmentation();
            IDataView train = cardiac.Data.FromRecords(records.Where(r => r.Vendor != heldOut));
            var validationRecords = ValidationCases(records.Where(r => r.Vendor == heldOut).ToList());
            var (features, input, _) = CatalogPipeline.Features(cardiac, _definition, options);
            // LoadNifti and Preprocess learn nothing: fitted on the validation rows they preprocess them as the training rows are.
            IDataView validationRows = cardiac.Data.FromRecords(validationRecords);
            IDataView validation = input.Fit(validationRows).Transform(validationRows);

            using var stopCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reporter = new ValidationMetric.EpochReporter(context, _definition.Metric, reports: fold == 0, stopCts);
            var trainVendors = _definition.TrainVendors.Where(v => v != heldOut).ToList();
            UNetTrainerOptions trainer = CatalogPipeline.Trainer(options, augmenter, trainVendors, validation, null, reporter.Report, stopCts.Token);
            var pipeline = features.Append(trainer is DannTrainerOptions dann ? cardiac.Trainers.Dann(dann) : cardiac.Trainers.UNet(trainer));
            TransformerChain<SegmentationTransformer> model;
            try
            {
                model = pipeline.Fit(train);
            }
            catch (OperationCanceledException) when (context.StopRequested && !cancellationToken.IsCancellationRequested)
            {
                return new TrialEvaluation(reporter.Best, null, details);
            }
            using (SegmentationTransformer fitted = model.LastTransformer)
            {
                var history = fitted.History;
                foldMetrics.Add(ValidationMetric.SummarizeFold(_definition.Metric, history, fitted.BestEpoch, fold, heldOut, details));
            }
            if (context.StopRequested) break;
        }
        return new TrialEvaluation(foldMetrics.Average(), null, details);
    }

    /// <summary>Evenly spaced cases of <paramref name="cases"/> until they hold <see cref="SearchDefinition.ValidationSlices"/> slices (0: all).</summary>
    private List<CaseRecord> ValidationCases(List<CaseRecord> cases)
    {
        if (_definition.ValidationSlices <= 0 || cases.Count == 0) return cases;
        int slicesPerCase = Math.Max(1, (int)NiftiReader.ReadHeader(cases[0].ImagePath).Dim[3]);
        int wanted = Math.Clamp((int)Math.Ceiling((double)_definition.ValidationSlices / slicesPerCase), 1, cases.Count);
        double stride = (double)cases.Count / wanted;
        return Enumerable.Range(0, wanted).Select(i => cases[(int)(i * stride)]).ToList();
    }

    /// <inheritdoc/>
    public RefitResult Refit(ParameterAssignment parameters, string directory, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var (train, test) = _records.Value;
        return CatalogPipeline.Refit(_definition, train, test, parameters, directory, progress ?? _log, cancellationToken);
    }
}
