using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Data;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.ML;
using MLCardiac.Training;

namespace MLCardiac.Search;

/// <summary>
/// Evaluates a configuration of the segmentation pipeline by fitting it — the ML.NET chain
/// <c>LoadNifti → Preprocess → [Augment] → UNet | Dann</c> (<see cref="CardiacSegmentationCatalog.FitPipeline"/>), the same
/// chain the refit saves — leave-one-training-vendor-out: each fold trains on the other training vendors' labeled rows with
/// the held-out vendor's rows as the trainer's validation data; the test vendors are never loaded for a trial. The
/// validation Dice is reported after every epoch, and when ASHA stops the trial the fit is cancelled there. With several
/// folds the trial's metric is the mean of the folds' best-epoch metrics, and the per-epoch reports (ASHA's rungs) come
/// from the first fold, which every trial shares.
/// </summary>
/// <remarks>
/// Every trial's rows go through the Preprocess stage with one <see cref="PreparedSliceCache"/> for the whole search: the
/// first trial reads and preprocesses the cases, the next take their slices from memory (or from disk after a restart).
/// <see cref="SearchDefinition.ValidationSlices"/> limits the validation cases: evenly spaced cases of the held-out vendor
/// are taken until they hold that many slices. The time each fold spent reading its rows is kept in the trial's details
/// as "fold&lt;n&gt;:dataSeconds".
/// </remarks>
public sealed class SegmentationTrialObjective : IRefittableObjective
{
    /// <summary>Name of the ML.NET model file a refit writes in its folder.</summary>
    public const string ModelFile = "model.zip";

    private readonly SearchDefinition _definition;
    private readonly IProgress<string>? _log;
    private readonly PreparedSliceCache _cache;
    private readonly Lazy<(IReadOnlyList<CaseRecord> Train, IReadOnlyList<CaseRecord> Test)> _records;

    /// <summary>Creates the objective; the dataset index is read on first use.</summary>
    /// <param name="definition">The search pipeline (its data resolved).</param>
    /// <param name="log">Receives one-line notes (refit steps).</param>
    /// <param name="cache">Where the trials share their prepared slices; null: the default folder.</param>
    public SegmentationTrialObjective(SearchDefinition definition, IProgress<string>? log = null, PreparedSliceCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _definition = definition;
        _log = log;
        _cache = cache ?? new PreparedSliceCache(PreparedSliceCache.DefaultDirectory);
        _records = new Lazy<(IReadOnlyList<CaseRecord>, IReadOnlyList<CaseRecord>)>(Index, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <inheritdoc/>
    public string MetricName => _definition.Metric;

    /// <inheritdoc/>
    public bool Maximize => true;

    /// <summary>The cache the trials share.</summary>
    public PreparedSliceCache Cache => _cache;

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
        SegmentationPipelineOptions b = _definition.BaseOptions;
        SegmentationPipelineOptions options = SegmentationSearchOptions.Apply(context.Parameters,
            b with { Trainer = b.Trainer with { Seed = context.Seed, Threads = context.Threads, Epochs = context.Epochs } });
        var details = new Dictionary<string, double>(StringComparer.Ordinal);
        var foldMetrics = new List<double>();
        for (int fold = 0; fold < _definition.Folds; fold++)
        {
            string heldOut = _definition.TrainVendors[fold];
            using var stopCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reporter = new ValidationMetric.EpochReporter(context, _definition.Metric, reports: fold == 0, stopCts);
            var cardiac = new MLContext(options.Trainer.Seed).CardiacSegmentation(new CardiacRunContext
            {
                EpochCompleted = reporter.Report, CancellationToken = stopCts.Token, PreparedCache = _cache,
            });
            IDataView train = cardiac.Data.FromRecords(records.Where(r => r.Vendor != heldOut));
            IDataView validation = cardiac.Data.FromRecords(ValidationCases(records.Where(r => r.Vendor == heldOut).ToList()));
            var trainVendors = _definition.TrainVendors.Where(v => v != heldOut).ToList();
            var foldOptions = options with { Trainer = options.Trainer with { TrainVendors = trainVendors } };
            TransformerChain<ITransformer> model;
            try
            {
                model = cardiac.FitPipeline(foldOptions, train, validation);
            }
            catch (OperationCanceledException) when (context.StopRequested && !cancellationToken.IsCancellationRequested)
            {
                return new TrialEvaluation(reporter.Best, null, details);
            }
            foreach (var stage in model.OfType<IDisposable>()) stage.Dispose();
            SegmentationTransformer fitted = model.OfType<SegmentationTransformer>().Single();
            details[$"fold{fold}:dataSeconds"] = fitted.DataSeconds;
            foldMetrics.Add(ValidationMetric.SummarizeFold(_definition.Metric, fitted.History, fitted.BestEpoch, fold, heldOut, details));
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

    /// <summary>
    /// Fits <paramref name="parameters"/> as the pipeline on every training vendor's labeled subjects (no validation: the
    /// last epoch's weights), saves it as <see cref="ModelFile"/>, then loads that file back in a fresh
    /// <see cref="MLContext"/> and evaluates it in 3D on the test vendors' subjects: metrics "&lt;vendor&gt;/meanDice",
    /// "&lt;vendor&gt;/lv|myo|rv" and "test/meanDice", one <see cref="RefitCase"/> per test case. Everything is written into
    /// a staging folder beside <paramref name="directory"/> and moved in only once the evaluation has finished: a
    /// cancelled or failed refit leaves no model file behind. DANN is refitted without target data, its domain head
    /// separating the training vendors, as in the trials.
    /// </summary>
    public RefitResult Refit(ParameterAssignment parameters, string directory, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        progress ??= _log;
        var (train, test) = _records.Value;
        var clock = Stopwatch.StartNew();
        SegmentationPipelineOptions options = SegmentationSearchOptions.Apply(parameters, _definition.BaseOptions);
        options = options with { Trainer = options.Trainer with { TrainVendors = _definition.TrainVendors } };
        string target = Path.GetFullPath(directory);
        string staging = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.refit-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            progress?.Report($"refitting {{{parameters}}} on {string.Join(", ", _definition.TrainVendors)} through the ML.NET pipeline");
            var cardiac = new MLContext(options.Trainer.Seed).CardiacSegmentation(new CardiacRunContext
            {
                CancellationToken = cancellationToken, PreparedCache = _cache, Progress = progress is null ? null : new EpochLines(progress),
            });
            IDataView trainRows = cardiac.Data.FromRecords(train);
            string stagedFile = Path.Combine(staging, ModelFile);
            // The refit is a model for applications: it ends in the quality-control stage (trials do not need one).
            TransformerChain<ITransformer> model = cardiac.FitPipeline(options with { QualityControl = new Inference.QualityControlOptions { Seed = options.Trainer.Seed } }, trainRows);
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                cardiac.SaveModel(model, trainRows.Schema, stagedFile);
            }
            finally
            {
                foreach (var stage in model.OfType<IDisposable>()) stage.Dispose();
            }
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            var cases = new List<RefitCase>();
            if (test.Count > 0)
            {
                progress?.Report($"testing the saved {ModelFile} on {string.Join(", ", _definition.TestVendors)}");
                SegmentationMetrics m = EvaluateModelFile(stagedFile, test, _definition.Seed, _cache, cancellationToken);
                foreach (VendorSummary s in m.Vendors)
                {
                    metrics[$"{s.Vendor}/lv"] = s.Lv.Dice.Mean;
                    metrics[$"{s.Vendor}/myo"] = s.Myo.Dice.Mean;
                    metrics[$"{s.Vendor}/rv"] = s.Rv.Dice.Mean;
                    metrics[$"{s.Vendor}/meanDice"] = (s.Lv.Dice.Mean + s.Myo.Dice.Mean + s.Rv.Dice.Mean) / 3;
                }
                cases.AddRange(m.Cases.Select(c => new RefitCase(c.Record.Subject, c.Record.Vendor, c.Record.Role.ToString(), c.Lv.Dice, c.Myo.Dice, c.Rv.Dice)));
                metrics["test/meanDice"] = cases.Average(c => c.MeanDice);
            }
            cancellationToken.ThrowIfCancellationRequested();
            string sha;
            long bytes;
            using (var stream = File.OpenRead(stagedFile))
            {
                bytes = stream.Length;
                sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
            }
            Directory.CreateDirectory(target);
            // An ONNX export of an earlier refit no longer matches the new weights.
            foreach (string stale in new[] { CardiacModel.OnnxPath(Path.Combine(target, ModelFile), quantized: false), CardiacModel.OnnxPath(Path.Combine(target, ModelFile), quantized: true) })
                File.Delete(stale);
            File.Move(stagedFile, Path.Combine(target, ModelFile), overwrite: true);
            return new RefitResult(directory, metrics, clock.Elapsed.TotalSeconds)
            {
                ModelFile = Path.Combine(directory, ModelFile), ModelSha256 = sha, ModelBytes = bytes, Pipeline = options.Describe(), Cases = cases,
            };
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// Loads the ML.NET model file <paramref name="modelFile"/> in a fresh <see cref="MLContext"/> and evaluates it in 3D on
    /// <paramref name="records"/> with <see cref="CardiacSegmentationCatalog.Evaluate"/> — what a refit reports.
    /// </summary>
    public static SegmentationMetrics EvaluateModelFile(string modelFile, IEnumerable<CaseRecord> records, int seed, PreparedSliceCache? cache = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var cardiac = new MLContext(seed).CardiacSegmentation(new CardiacRunContext { CancellationToken = cancellationToken, PreparedCache = cache });
        TransformerChain<ITransformer> loaded = cardiac.LoadModel(modelFile, out _);
        try
        {
            return cardiac.Evaluate(loaded.Transform(cardiac.Data.FromRecords(records)), seed);
        }
        finally
        {
            foreach (var stage in loaded.OfType<IDisposable>()) stage.Dispose();
        }
    }

    /// <summary>One line per finished training epoch.</summary>
    private sealed class EpochLines(IProgress<string> lines) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == value.Steps)
                lines.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"refit epoch {value.Epoch + 1}/{value.Epochs}: loss {value.Loss:F4}"));
        }
    }
}
