using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MLCardiac.Data;
using MLCardiac.Data.Synthetic;
using MLCardiac.Evaluation;
using MLCardiac.Imaging;
using MLCardiac.IO;
using MLCardiac.Models;
using MLCardiac.Preprocessing;
using MLCardiac.Reports;
using MLCardiac.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Augmentation;
using MLCardiac.Inference;
using MLCardiac.ML;

namespace MLCardiac.Experiments;

/// <summary>
/// Runs a study: resolves (or generates) the data of every source and joins their records
/// (<see cref="LoadSources"/>), splits every vendor's labeled subjects (per source) once into training and held-out test
/// subjects, then for each arm × seed fits the arm's ML.NET pipeline on its training vendors in its training sources
/// (<see cref="CardiacSegmentationCatalog.FitPipeline"/>), saves it as <c>model.zip</c>, loads that file back and evaluates
/// the held-out subjects of every test vendor in 3D through it (seen, target and unseen vendors alike); then the vendor
/// classifier, also a pipeline saved as <c>model.zip</c>. The arms share one <see cref="PreparedSliceCache"/>, so each
/// case is read and preprocessed once for the whole study (and for reruns). Resumable: a unit whose completed marker (<c>done.json</c>, written
/// last and atomically) matches its fingerprint is skipped and its saved result reused; an interrupted unit resumes
/// from its last training checkpoint. Every file is written atomically, so cancelling leaves nothing half-written.
/// </summary>
public sealed class ExperimentRunner
{
    /// <summary>File in a generated synthetic data folder recording its generation parameters.</summary>
    public const string SyntheticParametersFile = "synthetic-parameters.json";

    private const double TrainShare = 0.85;
    private readonly ExperimentRunOptions _options;

    /// <summary>Creates a runner with the given folders.</summary>
    public ExperimentRunner(ExperimentRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>The folders and data this runner was created with.</summary>
    public ExperimentRunOptions Options => _options;

    /// <summary>The files a finished unit (<see cref="Units"/>) leaves for the report: its saved pipeline and its result.</summary>
    public (string Model, string Result) UnitFiles(ExperimentDefinition experiment, string unit)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(unit);
        if (IsFoldUnit(unit) && Units(experiment).Contains(unit))
        {
            string[] parts = unit.Split('/');
            string fold = Path.Combine(ModelDirectory(experiment, parts[0], int.Parse(parts[1]["seed-".Length..], System.Globalization.CultureInfo.InvariantCulture)), parts[2]);
            return (Path.Combine(fold, ModelFile), Path.Combine(fold, FoldResultFile));
        }
        if (StudyResults.ClassifierUnits(experiment.VendorClassifier).Contains(unit))
            return (Path.Combine(_options.ModelsRoot, experiment.Id, unit, ModelFile), Path.Combine(ReportDirectory(experiment), unit, StudyResults.ResultFile));
        var (arm, seed) = experiment.Arms.SelectMany(a => experiment.Seeds.Select(s => (a.Name, s))).FirstOrDefault(x => UnitKey(x.Name, x.s) == unit);
        if (arm is null) throw new MLCardiacException($"{experiment.SourceFile}: the study has no unit \"{unit}\" (it has {string.Join(", ", Units(experiment))}).");
        return (Path.Combine(ModelDirectory(experiment, arm, seed), ModelFile), Path.Combine(StudyResults.ArmDirectory(ReportDirectory(experiment), arm, seed), StudyResults.ResultFile));
    }

    /// <summary>The report folder of <paramref name="experiment"/>.</summary>
    public string ReportDirectory(ExperimentDefinition experiment) => Path.Combine(_options.ReportsRoot, (experiment ?? throw new ArgumentNullException(nameof(experiment))).Id);

    /// <summary>The model folder of one arm and seed.</summary>
    public string ModelDirectory(ExperimentDefinition experiment, string arm, int seed) =>
        Path.Combine(_options.ModelsRoot, (experiment ?? throw new ArgumentNullException(nameof(experiment))).Id, arm, $"seed-{seed}");

    /// <summary>
    /// The study's units of work in order: <c>ARM/seed-N</c> for every arm × seed — with <see cref="ExperimentDefinition.Folds"/>
    /// above 1 preceded by its fold units <c>ARM/seed-N/fold-K</c> (one fold model each), and then the arm × seed unit only
    /// assembles the ensemble from them (<see cref="Prerequisites"/>) — then the vendor classifier when it has one.
    /// </summary>
    public static IReadOnlyList<string> Units(ExperimentDefinition experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        return [.. experiment.Arms.SelectMany(a => experiment.Seeds.SelectMany(s => (string[])[.. Prerequisites(experiment, UnitKey(a.Name, s)), UnitKey(a.Name, s)])),
            .. StudyResults.ClassifierUnits(experiment.VendorClassifier)];
    }

    /// <summary>The units that must complete before <paramref name="unit"/> starts: an arm × seed's fold units; none for the others.</summary>
    public static IReadOnlyList<string> Prerequisites(ExperimentDefinition experiment, string unit)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(unit);
        return experiment.Folds > 1 && !IsClassifierUnit(unit) && !IsFoldUnit(unit) ? [.. Enumerable.Range(0, experiment.Folds).Select(f => $"{unit}/fold-{f}")] : [];
    }

    /// <summary>True for a vendor-classifier unit (<see cref="StudyResults.ClassifierUnits"/>): the only units without an arm (<c>ARM/seed-N</c>).</summary>
    public static bool IsClassifierUnit(string unit) => !(unit ?? throw new ArgumentNullException(nameof(unit))).Contains('/', StringComparison.Ordinal);

    /// <summary>True for a fold unit <c>ARM/seed-N/fold-K</c>: it fits one fold model and leaves no arm result.</summary>
    public static bool IsFoldUnit(string unit) => (unit ?? throw new ArgumentNullException(nameof(unit))).Contains("/fold-", StringComparison.Ordinal);

    private static string UnitKey(string arm, int seed) => $"{arm}/seed-{seed}";

    /// <summary>
    /// Runs (or resumes) one unit of the study (<see cref="Units"/>) and nothing else — what a worker of a distributed study
    /// does with the unit it claimed (<see cref="DistributedStudy"/>); its result lands in the report folder like any unit's, and
    /// <see cref="Run(ExperimentDefinition, IProgress{StudyProgress}?, CancellationToken)"/> then finds it finished.
    /// </summary>
    public void RunUnit(ExperimentDefinition experiment, string unit, IProgress<StudyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        if (!Units(experiment).Contains(unit)) throw new MLCardiacException($"{experiment.SourceFile}: the study has no unit \"{unit}\" (it has {string.Join(", ", Units(experiment))}).");
        Run(experiment, unit, progress, cancellationToken);
    }

    /// <summary>Runs (or resumes) the study and returns every unit's result.</summary>
    /// <exception cref="MLCardiacException">The data or the experiment is unusable.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; finished units stay finished, the current one resumes next time.</exception>
    public StudyResults Run(ExperimentDefinition experiment, IProgress<StudyProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(experiment, only: null, progress, cancellationToken);

    private StudyResults Run(ExperimentDefinition experiment, string? only, IProgress<StudyProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        if (experiment.Arms.Count == 0)
            throw new MLCardiacException($"{experiment.SourceFile}: $.arms: this file declares a search and no arms; run it with `mlcardiac search {experiment.SourceFile}`.");
        var wall = Stopwatch.StartNew();
        int unitCount = experiment.Arms.Count * experiment.Seeds.Count + StudyResults.ClassifierUnits(experiment.VendorClassifier).Count;
        void Report(string unit, string stage, int i, double fraction, string detail = "") =>
            progress?.Report(new StudyProgress(unit, stage, i, unitCount, Math.Clamp(fraction, 0, 1), Math.Clamp((i + fraction) / Math.Max(1, unitCount), 0, 1), detail));

        Report("data", "preparing the dataset", 0, 0);
        IReadOnlyList<string> dataDirectories = ResolveDataDirectories(experiment, _options.DataDirectory, cancellationToken);
        DatasetIndex index = LoadSources(experiment, dataDirectories);
        bool manySources = experiment.Sources.Count > 1;
        string[] labeledVendors = [.. index.Records.Where(r => r.IsLabeled).Select(r => r.Vendor).Distinct().Order(StringComparer.Ordinal)];
        string[] unlabeledVendors = [.. index.Records.Where(r => !r.IsLabeled).Select(r => r.Vendor).Distinct().Order(StringComparer.Ordinal)];
        ExperimentLoader.CheckVendors(experiment, experiment.SourceFile, labeledVendors, unlabeledVendors, string.Join(" + ", dataDirectories));
        // The dataset's plan (`mlcardiac plan DATA`) fills what the file leaves unspecified; the report shows the values used.
        // With several sources, the first source's plan is the study's.
        if (experiment.Unspecified.Count > 0 && Planning.TrainingPlan.ForDataset(dataDirectories[0]) is { } plan)
            experiment = experiment.WithPlan(plan, Path.Combine(dataDirectories[0], Planning.TrainingPlan.FileName));
        var units = experiment.Arms.SelectMany(a => experiment.Seeds.Select(s => (Arm: a, Seed: s))).ToList();

        string reportDirectory = ReportDirectory(experiment);
        Directory.CreateDirectory(reportDirectory);
        StudyResults.Write(Path.Combine(reportDirectory, StudyResults.ExperimentFile), experiment);

        var labeled = index.Records.Where(r => r.IsLabeled).ToList();
        var (rest, heldOut) = SubjectSplit.BySubject(labeled, experiment.Split.TestFraction, experiment.Split.Seed);
        IReadOnlyList<string> testVendors = experiment.Split.TestVendors.Count > 0 ? experiment.Split.TestVendors : labeledVendors;
        var testRecords = heldOut.Where(r => testVendors.Contains(r.Vendor) && (experiment.Split.TestSources is null || experiment.Split.TestSources.Contains(r.Source!))).ToList();
        // One source: the fingerprint of earlier releases (its definition alone), so finished units stay finished.
        string dataFingerprint = Hash(string.Join("\n", index.Records.Select(r => $"{r.Subject}|{r.Vendor}|{r.Role}|{r.IsLabeled}"))
            + (manySources ? Json(experiment.Sources) : Json(experiment.Data)));
        var cache = new PreparedSliceCache(_options.CacheDirectory ?? PreparedSliceCache.DefaultDirectory);

        var results = new List<ArmRunResult>();
        for (int u = 0; u < units.Count; u++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (arm, seed) = units[u];
            string unitName = experiment.Seeds.Count > 1 ? $"{arm.Name} seed {seed}" : arm.Name;
            SegmentationPipelineOptions pipeline = PipelineOf(experiment, arm, seed);
            string fingerprint = Hash(Json(new { arm, seed, pipeline, experiment.Split, dataFingerprint, testVendors }) + (experiment.Folds > 1 ? $"|{experiment.Folds} folds" : ""));
            string armReport = StudyResults.ArmDirectory(reportDirectory, arm.Name, seed);
            string modelDirectory = ModelDirectory(experiment, arm.Name, seed);
            if (Finished(armReport, fingerprint))
            {
                results.Add(StudyResults.Read<ArmRunResult>(Path.Combine(armReport, StudyResults.ResultFile)));
                Report(unitName, "skipped (finished earlier)", u, 1);
                continue;
            }
            // A fold unit fits that one fold model of its arm × seed (see Units).
            int? onlyFold = only is not null && only.StartsWith(UnitKey(arm.Name, seed) + "/fold-", StringComparison.Ordinal)
                ? int.Parse(only[(UnitKey(arm.Name, seed) + "/fold-").Length..], System.Globalization.CultureInfo.InvariantCulture) : null;
            if (only is not null && only != UnitKey(arm.Name, seed) && onlyFold is null) continue; // another worker's unit
            StartFresh(modelDirectory, armReport, fingerprint);

            Report(unitName, "preparing data", u, 0);
            var trainable = rest.Where(r => arm.TrainVendors.Contains(r.Vendor) && arm.TrainsOnSource(r.Source) && arm.TrainsOnCentre(r.Centre)).ToList();
            if (arm.TrainCentres is { } centres && centres.FirstOrDefault(c => !labeled.Any(r => r.Centre == c && arm.TrainVendors.Contains(r.Vendor))) is { } missing)
                throw new MLCardiacException($"{experiment.SourceFile}: trainCentres of arm \"{arm.Name}\": no labeled subject of its training vendors ({string.Join(", ", arm.TrainVendors)}) comes from centre \"{missing}\" (they come from {string.Join(", ", labeled.Where(r => arm.TrainVendors.Contains(r.Vendor)).Select(r => r.Centre ?? "–").Distinct().Order(StringComparer.Ordinal))}).");
            var (trainRecords, valRecords) = SubjectSplit.BySubject(trainable, experiment.Split.ValidationFraction, experiment.Split.Seed + 1);
            var targetRecords = arm.Model.IsDann ? index.Records.Where(r => !r.IsLabeled && arm.TargetVendors.Contains(r.Vendor) && arm.TrainsOnSource(r.Source) && arm.TrainsOnCentre(r.Centre)).ToList() : [];

            var trainClock = Stopwatch.StartNew();
            var context = new CardiacRunContext
            {
                CheckpointDirectory = modelDirectory, CancellationToken = cancellationToken, PreparedCache = cache,
                Progress = new InlineProgress<TrainingProgress>(p =>
                {
                    double f = ((double)p.Epoch * p.Steps + p.Step) / Math.Max(1.0, (double)p.Epochs * p.Steps);
                    string dice = p.LastValidationDice is double d ? $"  val Dice {d:F3}" : "";
                    Report(unitName, "training", u, TrainShare * f, FormattableString.Invariant($"epoch {p.Epoch + 1}/{p.Epochs}  loss {p.Loss:F3}{dice}"));
                }),
            };
            var cardiac = new MLContext(seed).CardiacSegmentation(context);
            IDataView trainRows = cardiac.Data.FromRecords([.. trainRecords, .. targetRecords]);
            IReadOnlyList<FoldRunResult> folds = [];
            TransformerChain<ITransformer> model;
            if (experiment.Folds > 1)
            {
                trainRecords = trainable;
                trainRows = cardiac.Data.FromRecords([.. trainable, .. targetRecords]);
                (TransformerChain<ITransformer>? ensemble, folds) = FitFolds(experiment, arm, seed, pipeline, trainable, targetRecords, testRecords, modelDirectory, fingerprint, context,
                    (stage, f) => Report(unitName, stage, u, TrainShare * f), onlyFold);
                if (ensemble is null)
                {
                    Report(unitName, $"fold {onlyFold + 1}/{experiment.Folds} done", u, 1);
                    continue;
                }
                model = ensemble;
            }
            else model = cardiac.FitPipeline(pipeline, trainRows, valRecords.Count > 0 ? cardiac.Data.FromRecords(valRecords) : null);
            SegmentationTransformer fitted = model.OfType<SegmentationTransformer>().Single();
            // Always-on post-processing differs from the model's only where its choice left a structure unfiltered.
            PostProcessingChoice? choice = fitted.PostProcessing;
            bool filtersEverything = choice is null || choice.LargestComponentLabels.Count == choice.Structures.Count;
            string modelFile = Path.Combine(modelDirectory, ModelFile);
            try
            {
                cardiac.SaveModel(model, trainRows.Schema, modelFile);
            }
            finally
            {
                foreach (var stage in model.OfType<IDisposable>()) stage.Dispose();
            }
            double trainSeconds = trainClock.Elapsed.TotalSeconds;

            // The saved file is what is evaluated: loaded back, it segments the held-out subjects of every test vendor.
            var evalClock = Stopwatch.StartNew();
            var predictions = new List<byte[]>();
            SegmentationMetrics metrics;
            TransformerChain<ITransformer> loaded = cardiac.LoadModel(modelFile, out _);
            try
            {
                metrics = SegmentationEvaluator.Evaluate(loaded.Transform(cardiac.Data.FromRecords(testRecords)), seed, cancellationToken,
                    new InlineProgress<int>(n => Report(unitName, "evaluating held-out subjects", u, TrainShare + (1 - TrainShare) * n / Math.Max(1.0, testRecords.Count))),
                    (_, predicted) => predictions.Add(predicted), compareAlwaysFiltered: !filtersEverything);
            }
            finally
            {
                foreach (var stage in loaded.OfType<IDisposable>()) stage.Dispose();
            }
            var cases = metrics.Cases.Select(c => ToMetrics(c, arm, choice is null ? null : filtersEverything, manySources)).ToList();
            IReadOnlyList<OverlayImage> overlays = experiment.Figures.Contains("overlays")
                ? DrawOverlays(metrics.Cases, cases, predictions, reportDirectory, $"{StudyResults.ArmsFolder}/{arm.Name}/seed-{seed}/overlays")
                : [];
            var result = new ArmRunResult
            {
                Arm = arm.Name,
                Seed = seed,
                Definition = arm,
                Fingerprint = fingerprint,
                History = folds.Count > 0 ? folds[0].History : fitted.History,
                BestEpoch = folds.Count > 0 ? folds[0].BestEpoch : fitted.BestEpoch,
                StoppedEarly = folds.Count > 0 ? folds[0].StoppedEarly : fitted.StoppedEarly,
                PostProcessing = fitted.PostProcessing,
                Folds = folds,
                TrainSeconds = trainSeconds,
                EvaluationSeconds = evalClock.Elapsed.TotalSeconds,
                TrainSubjects = trainRecords.Select(r => r.Subject).Distinct().Count(),
                SubjectsReadBySource = manySources
                    ? experiment.Sources.ToDictionary(x => x.Label, x => trainRecords.Concat(valRecords).Concat(targetRecords).Where(r => r.Source == x.Label).Select(r => r.Subject).Distinct().Count(), StringComparer.Ordinal)
                    : null,
                SubjectsReadByCentre = arm.TrainCentres is null ? null
                    : trainRecords.Concat(valRecords).Concat(targetRecords)
                        .GroupBy(r => r.Centre ?? "–", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.Subject).Distinct().Count(), StringComparer.Ordinal),
                Cases = cases,
                Overlays = overlays,
                ModelDirectory = modelDirectory,
            };
            string log = Path.Combine(modelDirectory, SegmentationTrainer.LogFile);
            if (File.Exists(log)) AtomicFile.WriteAllText(Path.Combine(armReport, "training-log.jsonl"), File.ReadAllText(log));
            StudyResults.Write(Path.Combine(armReport, StudyResults.ResultFile), result);
            StudyResults.Write(Path.Combine(armReport, StudyResults.DoneFile), new { fingerprint, finishedUtc = DateTime.UtcNow });
            results.Add(result);
            Report(unitName, "done", u, 1);
        }

        VendorClassifierResult? classifier = null;
        var comparisons = new List<VendorClassifierResult>();
        if (experiment.VendorClassifier is { } vc)
        {
            // The study's classifier, then each comparison architecture on the same volumes and budget (a unit each).
            ClassifierKind[] kinds = [vc.Type, .. vc.Compare];
            for (int k = 0; k < kinds.Length; k++)
            {
                string unit = StudyResults.ClassifierUnit(vc, kinds[k]);
                if (only is not null && only != unit) continue;
                string name = k == 0 ? "vendor classifier" : $"vendor classifier {ClassifierNetworkOptions.KindName(kinds[k])}";
                VendorClassifierResult r = RunClassifier(experiment, vc.For(kinds[k]), unit, index, heldOut, reportDirectory, dataFingerprint, cache,
                    (stage, f) => Report(name, stage, units.Count + k, f), cancellationToken);
                if (k == 0) classifier = r; else comparisons.Add(r);
            }
        }

        wall.Stop();
        StudyResults.Write(Path.Combine(reportDirectory, "timing.json"), new { wallSeconds = wall.Elapsed.TotalSeconds, finishedUtc = DateTime.UtcNow });
        return new StudyResults { Experiment = experiment, Arms = results, VendorClassifier = classifier, ClassifierComparisons = comparisons, WallSeconds = wall.Elapsed.TotalSeconds };
    }

    /// <summary>
    /// Cross-validation of one arm × seed: <see cref="ExperimentDefinition.Folds"/> pipelines fitted on subject-grouped folds of
    /// <paramref name="trainable"/> (<see cref="CardiacDataCatalog.CrossValidationSplit"/>'s folds; DANN target rows join every
    /// fold's training side), each saved in <c>fold-K/model.zip</c> with its result (<c>fold-K/fold.json</c>, written last: a
    /// rerun reuses a finished fold and resumes an interrupted one from its checkpoint), evaluated on its validation subjects
    /// (the out-of-fold predictions) and alone on the test cases. Returns their ensemble (<see cref="CardiacSegmentationCatalog.Ensemble"/>)
    /// with the post-processing the pooled out-of-fold predictions chose, and the folds' results. With <paramref name="onlyFold"/>
    /// (a fold unit of a distributed study), fits (or finds) that fold alone and returns no ensemble.
    /// </summary>
    private static (TransformerChain<ITransformer>? Ensemble, IReadOnlyList<FoldRunResult> Folds) FitFolds(ExperimentDefinition experiment, ArmDefinition arm, int seed,
        SegmentationPipelineOptions pipeline, IReadOnlyList<CaseRecord> trainable, IReadOnlyList<CaseRecord> targetRecords, IReadOnlyList<CaseRecord> testRecords,
        string modelDirectory, string fingerprint, CardiacRunContext context, Action<string, double> report, int? onlyFold = null)
    {
        CancellationToken cancellationToken = context.CancellationToken;
        int k = experiment.Folds;
        int subjects = trainable.Select(r => r.Subject).Distinct().Count();
        if (subjects < k)
            throw new MLCardiacException($"{experiment.SourceFile}: $.folds: arm \"{arm.Name}\" has {subjects} training subjects, fewer than its {k} folds.");
        // Members are fitted without quality control (it calibrates on one network's validation subjects), each from its own
        // initial weights and batch order (seed + 1000·fold), as independent fits that an ensemble profits from.
        SegmentationPipelineOptions MemberPipeline(int fold) => pipeline with { QualityControl = null, Trainer = pipeline.Trainer with { Seed = pipeline.Trainer.Seed + 1000 * fold } };
        var splits = SubjectSplit.Folds(trainable, k, experiment.Split.Seed + 1);
        var members = new List<TransformerChain<ITransformer>>();
        var results = new List<FoldRunResult>();
        try
        {
            for (int f = 0; f < k; f++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (onlyFold is int only && f != only) continue;
                double Progress(double within) => (f + within) / k;
                string foldDirectory = Path.Combine(modelDirectory, $"fold-{f}");
                string foldModel = Path.Combine(foldDirectory, ModelFile), foldResult = Path.Combine(foldDirectory, FoldResultFile);
                SegmentationPipelineOptions memberPipeline = MemberPipeline(f);
                string foldFingerprint = Hash($"{fingerprint}|fold {f} of {k}|{Json(memberPipeline)}");
                var (train, validation) = splits[f];
                var cardiac = new MLContext(seed + 1000 * f).CardiacSegmentation(context with
                {
                    CheckpointDirectory = foldDirectory,
                    Progress = context.Progress is null ? null : new InlineProgress<TrainingProgress>(p =>
                        report(FormattableString.Invariant($"fold {f + 1}/{k}: training, epoch {p.Epoch + 1}/{p.Epochs}"), Progress(0.8 * ((double)p.Epoch * p.Steps + p.Step) / Math.Max(1.0, (double)p.Epochs * p.Steps)))),
                });
                if (File.Exists(foldResult) && File.Exists(foldModel) && StudyResults.Read<FoldRunResult>(foldResult) is { } done && done.Fingerprint == foldFingerprint)
                {
                    members.Add(cardiac.LoadModel(foldModel, out _));
                    results.Add(done);
                    report($"fold {f + 1}/{k}: finished earlier", Progress(1));
                    continue;
                }
                Directory.CreateDirectory(foldDirectory);
                var clock = Stopwatch.StartNew();
                IDataView trainRows = cardiac.Data.FromRecords([.. train, .. targetRecords]);
                TransformerChain<ITransformer> fitted = cardiac.FitPipeline(memberPipeline, trainRows, cardiac.Data.FromRecords(validation));
                members.Add(fitted);
                SegmentationTransformer segmentation = fitted.OfType<SegmentationTransformer>().Single();
                cardiac.SaveModel(fitted, trainRows.Schema, foldModel);
                double trainSeconds = clock.Elapsed.TotalSeconds;
                clock.Restart();
                report($"fold {f + 1}/{k}: out-of-fold and test predictions", Progress(0.8));
                List<CaseMetrics> Evaluate(IReadOnlyList<CaseRecord> records) =>
                    [.. SegmentationEvaluator.Evaluate(fitted.Transform(cardiac.Data.FromRecords(records)), seed, cancellationToken).Cases.Select(c => ToMetrics(c, arm, null, experiment.Sources.Count > 1))];
                var result = new FoldRunResult
                {
                    Fold = f,
                    Fingerprint = foldFingerprint,
                    TrainSubjects = train.Select(r => r.Subject).Distinct().Count(),
                    ValidationSubjects = validation.Select(r => r.Subject).Distinct().Count(),
                    History = segmentation.History,
                    BestEpoch = segmentation.BestEpoch,
                    StoppedEarly = segmentation.StoppedEarly,
                    PostProcessing = segmentation.PostProcessing,
                    TrainSeconds = trainSeconds,
                    OutOfFold = Evaluate(validation),
                    Test = Evaluate(testRecords),
                };
                result = result with { EvaluationSeconds = clock.Elapsed.TotalSeconds };
                StudyResults.Write(foldResult, result);
                results.Add(result);
                report($"fold {f + 1}/{k}: done", Progress(1));
            }
            if (onlyFold is not null) return (null, results);
            var choices = results.Select(r => r.PostProcessing).OfType<PostProcessingChoice>().ToList();
            var ensemble = new MLContext(seed).CardiacSegmentation(context).Ensemble(members, choices.Count == k ? PostProcessingChoice.Merge(choices) : null);
            return (ensemble, results);
        }
        finally
        {
            foreach (var stage in members.SelectMany(m => m).OfType<IDisposable>()) stage.Dispose();
        }
    }

    /// <summary>A fold's result in its model folder (<c>fold-K/fold.json</c>), written after its model file.</summary>
    public const string FoldResultFile = "fold.json";

    /// <summary>The file every arm's fitted pipeline is saved to, in its model folder.</summary>
    public const string ModelFile = "model.zip";

    /// <summary>The pipeline an arm fits with seed <paramref name="seed"/>: the study's preprocessing, the arm's augmentation, network and budget.</summary>
    public static SegmentationPipelineOptions PipelineOf(ExperimentDefinition experiment, ArmDefinition arm, int seed)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(arm);
        TrainingBudget b = arm.Training;
        return new SegmentationPipelineOptions
        {
            Preprocessing = experiment.Preprocessing,
            Augmentation = new AugmentationOptions { Name = arm.Augmentation },
            Trainer = new SegmentationTrainerOptions
            {
                Network = arm.Model.ToNetwork(),
                Dann = arm.Model.IsDann ? new DannOptions { MaxLambda = arm.Model.MaxLambda, TargetVendors = arm.TargetVendors } : null,
                Epochs = b.Epochs, IterationsPerEpoch = b.IterationsPerEpoch, BatchSize = b.BatchSize, LearningRate = b.LearningRate,
                EarlyStoppingPatience = b.Patience, Threads = b.Threads, Seed = seed, TrainVendors = arm.TrainVendors,
            },
            QualityControl = new QualityControlOptions { Seed = seed },
        };
    }

    private VendorClassifierResult RunClassifier(ExperimentDefinition experiment, VendorClassifierDefinition vc, string unit, DatasetIndex index,
        IReadOnlyList<CaseRecord> heldOut, string reportDirectory, string dataFingerprint, PreparedSliceCache cache,
        Action<string, double> report, CancellationToken cancellationToken)
    {
        string dir = Path.Combine(reportDirectory, unit);
        string modelDirectory = Path.Combine(_options.ModelsRoot, experiment.Id, unit);
        var options = new VendorClassifierOptions
        {
            Network = vc.Network(),
            Epochs = vc.Epochs,
            IterationsPerEpoch = vc.IterationsPerEpoch,
            FalseAlarmRate = vc.FalseAlarmRate,
            CalibrationFraction = 0.3,
            Seed = experiment.Seeds[0],
        };
        string fingerprint = Hash(Json(new { vc, options, experiment.Preprocessing, experiment.Split, dataFingerprint }));
        if (Finished(dir, fingerprint))
        {
            report("skipped (finished earlier)", 1);
            return StudyResults.Read<VendorClassifierResult>(Path.Combine(dir, StudyResults.ResultFile));
        }
        StartFresh(modelDirectory, dir, fingerprint);
        report("preparing data", 0);
        var clock = Stopwatch.StartNew();
        // Unlabeled scans are scans too: the classifier trains on every non-held-out ED volume of the known vendors.
        var ed = index.Records.Where(r => r.Role == FrameRole.ED).ToList();
        var heldOutSubjects = heldOut.Select(r => r.Subject).ToHashSet(StringComparer.Ordinal);
        var (unseenRecords, known) = SubjectSplit.ByVendor(ed, vc.UnseenVendors);
        string[] vendors = [.. known.Select(r => r.Vendor).Distinct().Order(StringComparer.Ordinal)];
        if (vendors.Length < 2) throw new MLCardiacException($"{experiment.SourceFile}: $.vendorClassifier: the classifier needs at least two known vendors (it has {string.Join(", ", vendors)}).");
        var test = known.Where(r => heldOutSubjects.Contains(r.Subject)).ToList();
        // A source held out of training (split.trainSources) is held out of the classifier's training too.
        var train = known.Where(r => !heldOutSubjects.Contains(r.Subject) && (experiment.Split.TrainSources is null || experiment.Split.TrainSources.Contains(r.Source!))).ToList();

        var cardiac = new MLContext(experiment.Seeds[0]).CardiacSegmentation(new CardiacRunContext
        {
            CancellationToken = cancellationToken, PreparedCache = cache,
            Progress = new InlineProgress<TrainingProgress>(p => report("training", TrainShare * ((double)p.Epoch * p.Steps + p.Step) / Math.Max(1.0, (double)p.Epochs * p.Steps))),
        });
        IDataView trainRows = cardiac.Data.FromRecords(train);
        var prepare = cardiac.Transforms.LoadNifti().Append(cardiac.Transforms.Preprocess(experiment.Preprocessing)).Fit(trainRows);
        VendorClassifierTransformer fitted = cardiac.Trainers.VendorClassifier(options).Fit(prepare.Transform(trainRows));
        using (fitted)
        {
            cardiac.SaveModel(new TransformerChain<ITransformer>([.. prepare, fitted]), trainRows.Schema, Path.Combine(modelDirectory, ModelFile));
            report("evaluating", TrainShare);
            SliceDataset Slices(IReadOnlyList<CaseRecord> records, IReadOnlyList<string> domains) =>
                new([.. SlicesColumn.Read(prepare.Transform(cardiac.Data.FromRecords(records)), labels: false, cancellationToken)
                    .SelectMany(r => SlicesColumn.ToTrainingSlices(r, experiment.Preprocessing.Size, Math.Max(0, domains.ToList().IndexOf(r.Vendor)), withLabels: false))], domains);
            VendorClassifierEvaluation onTest = fitted.Classifier.Evaluate(Slices(test, vendors));
            double flaggedUnseen = double.NaN, unseenAuroc = double.NaN;
            if (unseenRecords.Count > 0)
            {
                var flagged = fitted.Classifier.PredictVolumes(Slices(unseenRecords, [.. vendors, .. vc.UnseenVendors]));
                flaggedUnseen = flagged.Count(v => v.Unfamiliar) / (double)flagged.Count;
                var knownVolumes = fitted.Classifier.PredictVolumes(Slices(test, vendors));
                unseenAuroc = Ranking.Auroc([.. flagged.Select(v => 1 - v.Confidence)], [.. knownVolumes.Select(v => 1 - v.Confidence)]);
            }
            var result = new VendorClassifierResult
            {
                Type = ClassifierNetworkOptions.KindName(vc.Type),
                Vendors = vendors,
                UnseenVendors = vc.UnseenVendors,
                Confusion = onTest.Confusion,
                VolumeAccuracy = onTest.VolumeAccuracy,
                SliceAccuracy = onTest.SliceAccuracy,
                FlaggedKnown = onTest.FlaggedUnfamiliar,
                FlaggedUnseen = flaggedUnseen,
                UnseenAuroc = unseenAuroc,
                Threshold = fitted.Classifier.Threshold,
                Seconds = clock.Elapsed.TotalSeconds,
                Fingerprint = fingerprint,
            };
            StudyResults.Write(Path.Combine(dir, StudyResults.ResultFile), result);
            StudyResults.Write(Path.Combine(dir, StudyResults.DoneFile), new { fingerprint, finishedUtc = DateTime.UtcNow });
            report("done", 1);
            return result;
        }
    }

    /// <summary>
    /// The case as the study records it. <paramref name="filtersEverything"/>: null when the fit chose no post-processing
    /// (nothing to compare); true when its choice filters every structure, so always-on is the case's own Dice (the filter
    /// is idempotent); false when the evaluator measured always-on.
    /// </summary>
    private static CaseMetrics ToMetrics(CaseResult c, ArmDefinition arm, bool? filtersEverything, bool manySources)
    {
        string vendor = c.Record.Vendor;
        // A vendor seen in one source is not seen in a source the arm never trained on: that source's scans are new to it.
        // Likewise a centre the arm never trained on (trainCentres): a new site, even of a known scanner make.
        bool source = arm.TrainsOnSource(c.Record.Source) && arm.TrainsOnCentre(c.Record.Centre);
        string role = source && arm.TrainVendors.Contains(vendor) ? "seen" : source && arm.Model.IsDann && arm.TargetVendors.Contains(vendor) ? "target" : "unseen";
        return new CaseMetrics(c.Record.Subject, vendor, c.Record.Centre, c.Record.Role.ToString(), role, c.Lv, c.Myo, c.Rv) { Source = manySources ? c.Record.Source : null, Quality = c.Quality, SlicePositionDice = c.SlicePositionDice, DiceAlwaysFiltered = filtersEverything switch { null => null, true => [c.Lv.Dice, c.Myo.Dice, c.Rv.Dice], false => c.DiceAlwaysFiltered } };
    }

    /// <summary>Draws the best, median and worst ED case (mean Dice) of every vendor, re-segmented, as PNGs under <paramref name="folder"/>.</summary>
    private static List<OverlayImage> DrawOverlays(IReadOnlyList<CaseResult> evaluated, List<CaseMetrics> metrics, List<byte[]> predictions, string reportDirectory, string folder)
    {
        var images = new List<OverlayImage>();
        if (predictions.Count != evaluated.Count) throw new InvalidOperationException("One prediction per evaluated case was expected.");
        var byVendor = evaluated.Zip(metrics, predictions).Select(t => (t.First, t.Second, t.Third)).Where(p => p.First.Record.Role == FrameRole.ED)
            .GroupBy(p => p.First.Record.Vendor, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in byVendor)
        {
            var sorted = group.OrderByDescending(p => p.Second.MeanDice).ToList();
            foreach (var (rank, (result, m, predicted)) in new[] { ("best", sorted[0]), ("median", sorted[sorted.Count / 2]), ("worst", sorted[^1]) })
            {
                CaseRecord r = result.Record;
                Volume image = NiftiReader.Read(r.ImagePath);
                float[] truth = NiftiReader.Read(r.LabelPath!).Frame(r.LabelFrame).ToArray();
                r.ToOurLabels(truth);
                int px = image.VoxelsPerSlice;
                int bestZ = MidVentricularSlice(truth, image.SizeZ, px);
                var panel = new OverlayPanel(image.SizeX, image.SizeY, image.Slice(bestZ, r.ImageFrame).ToArray(),
                    [.. truth.AsSpan(bestZ * px, px).ToArray().Select(v => (byte)v)],
                    predicted.AsSpan(bestZ * px, px).ToArray());
                byte[] png = OverlayFigure.Render(panel);
                string relative = $"{folder}/{group.Key}-{rank}.png";
                string path = Path.Combine(reportDirectory, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                AtomicFile.Write(path, s => s.Write(png));
                images.Add(new OverlayImage(group.Key, rank, m.MeanDice, bestZ, relative));
            }
        }
        return images;
    }

    /// <summary>The middle one of the slices whose reference has LV, myocardium and RV; else the slice with the most myocardium.</summary>
    private static int MidVentricularSlice(float[] truth, int slices, int px)
    {
        var full = new List<int>();
        int most = 0, mostArea = -1;
        for (int z = 0; z < slices; z++)
        {
            var seen = new bool[4];
            int myo = 0;
            for (int i = 0; i < px; i++)
            {
                int v = (int)truth[z * px + i];
                if (v is >= 1 and <= 3) seen[v] = true;
                if (v == 2) myo++;
            }
            if (seen[1] && seen[2] && seen[3]) full.Add(z);
            if (myo > mostArea) (most, mostArea) = (z, myo);
        }
        return full.Count > 0 ? full[full.Count / 2] : most;
    }

    /// <summary>
    /// The dataset folder of a single-source <paramref name="experiment"/>: its <c>data.path</c> (or <paramref name="dataDirectory"/>), or
    /// for synthetic data the cache folder <c>data/ID-HASH/</c> (or <paramref name="dataDirectory"/>), generated on first use
    /// (atomically: written aside, then moved in) and reused while its generator parameters match.
    /// </summary>
    /// <exception cref="MLCardiacException">The experiment lists several sources, the folder is missing, or it holds synthetic data of other parameters.</exception>
    public static string ResolveDataDirectory(ExperimentDefinition experiment, string? dataDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        if (experiment.Sources.Count > 1)
            throw new MLCardiacException($"{experiment.SourceFile}: $.data: lists {experiment.Sources.Count} sources; this command reads one dataset.");
        return ResolveSource(experiment, experiment.Data, "$.data", dataDirectory, cancellationToken);
    }

    /// <summary>
    /// The folder of every data source of <paramref name="experiment"/>, in order. One source: <see cref="ResolveDataDirectory"/>.
    /// Several: a path source is its <c>path</c>; a synthetic one is generated (once) into <c>data/ID-NAME-HASH/</c>, or
    /// <paramref name="dataDirectory"/>/NAME when given, each from its own generator parameters and profile file.
    /// </summary>
    /// <exception cref="MLCardiacException">A folder is missing, or holds synthetic data of other parameters.</exception>
    public static IReadOnlyList<string> ResolveDataDirectories(ExperimentDefinition experiment, string? dataDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        if (experiment.Sources.Count == 1) return [ResolveDataDirectory(experiment, dataDirectory, cancellationToken)];
        return [.. experiment.Sources.Select((source, i) => ResolveSource(experiment, source, $"$.data[{i}]",
            source.Source == "path" ? null
            : dataDirectory is null ? Path.Combine("data", $"{experiment.Id}-{source.Label}-{Hash(Json(source.Synthetic))[..8]}")
            : Path.Combine(dataDirectory, source.Label), cancellationToken))];
    }

    /// <summary>
    /// Indexes every source's folder and joins their records, each carrying its source's name; with several sources every
    /// subject becomes <c>source/subject</c> (codes of two datasets may coincide) and the vendor stays as the dataset gives it.
    /// </summary>
    /// <exception cref="MLCardiacException">A folder has no usable subject, or not the layout the file expects.</exception>
    public static DatasetIndex LoadSources(ExperimentDefinition experiment, IReadOnlyList<string> directories)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(directories);
        if (directories.Count != experiment.Sources.Count) throw new ArgumentException($"One folder per source was expected ({experiment.Sources.Count}, got {directories.Count}).", nameof(directories));
        bool many = experiment.Sources.Count > 1;
        var indexes = new List<DatasetIndex>();
        for (int i = 0; i < directories.Count; i++)
        {
            DataSourceDefinition source = experiment.Sources[i];
            DatasetIndex index = DatasetLayouts.Load(directories[i]);
            if (index.Records.Count == 0) throw new MLCardiacException($"{directories[i]}: no usable subject.");
            CheckLayout(experiment, source, many ? $"$.data[{i}].layout" : "$.data.layout", index);
            string name = source.Label;
            indexes.Add(index with { Records = [.. index.Records.Select(r => r with { Subject = many ? $"{name}/{r.Subject}" : r.Subject, Source = name })] });
        }
        return many
            ? new DatasetIndex(string.Join("+", indexes.Select(x => x.Layout)), directories[0], [.. indexes.SelectMany(x => x.Records)], [.. indexes.SelectMany(x => x.Problems)])
            : indexes[0];
    }

    private static string ResolveSource(ExperimentDefinition experiment, DataSourceDefinition source, string jsonPath, string? dataDirectory, CancellationToken cancellationToken)
    {
        if (source.Source == "path")
        {
            string path = dataDirectory ?? source.Path!;
            if (!Directory.Exists(path)) throw new MLCardiacException($"{experiment.SourceFile}: {jsonPath}.path: the dataset folder {path} does not exist.");
            return path;
        }
        SyntheticDataDefinition s = source.Synthetic;
        string parameters = Json(s);
        string dir = dataDirectory ?? Path.Combine("data", $"{experiment.Id}-{Hash(parameters)[..8]}");
        string marker = Path.Combine(dir, SyntheticParametersFile);
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            if (File.Exists(marker) && File.ReadAllText(marker) != parameters)
                throw new MLCardiacException($"{dir} holds synthetic data generated with other parameters than {experiment.SourceFile}'s {jsonPath}.synthetic; pass another --data folder or delete it.");
            return dir;
        }
        string temporary = dir.TrimEnd('/', '\\') + ".partial-" + Environment.ProcessId;
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        VendorProfileSet profiles = s.LoadProfiles();
        var generator = new SyntheticCohortGenerator(new SyntheticCohortOptions { Seed = s.Seed, MinFrames = s.MinFrames, MaxFrames = s.MaxFrames }, profiles);
        new SyntheticDatasetWriter(generator).Write(temporary, new SyntheticDatasetRequest
        {
            Vendors = [.. s.Vendors.Select(profiles.Get)],
            UnlabeledVendors = [.. s.UnlabeledVendors.Select(profiles.Get)],
            UnlabeledPerVendor = s.UnlabeledPerVendor,
            SubjectsPerVendor = s.SubjectsPerVendor,
        }, cancellationToken: cancellationToken);
        AtomicFile.WriteAllText(Path.Combine(temporary, SyntheticParametersFile), parameters);
        if (Directory.Exists(dir)) Directory.Delete(dir);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(dir))!);
        Directory.Move(temporary, dir);
        return dir;
    }

    private static void CheckLayout(ExperimentDefinition experiment, DataSourceDefinition source, string jsonPath, DatasetIndex index)
    {
        string expected = source.Layout switch
        {
            "mnms" => MnmsLayout.Name,
            "mnms2" => Mnms2Layout.Name,
            "acdc" => AcdcLayout.Name,
            "folder" => FolderCsvLayout.Name,
            _ => index.Layout,
        };
        if (expected != index.Layout)
            throw new MLCardiacException($"{experiment.SourceFile}: {jsonPath}: expected {expected}, but {index.Root} is laid out as {index.Layout}.");
    }

    private static bool Finished(string directory, string fingerprint)
    {
        string done = Path.Combine(directory, StudyResults.DoneFile);
        if (!File.Exists(done) || !File.Exists(Path.Combine(directory, StudyResults.ResultFile))) return false;
        return StudyResults.Read<JsonElement>(done).TryGetProperty("fingerprint", out JsonElement f) && f.GetString() == fingerprint;
    }

    /// <summary>Clears a unit's folders when they belong to other settings; keeps a matching checkpoint to resume from.</summary>
    private static void StartFresh(string modelDirectory, string reportDirectory, string fingerprint)
    {
        const string markerName = "fingerprint.txt";
        string marker = Path.Combine(modelDirectory, markerName);
        if (Directory.Exists(modelDirectory) && (!File.Exists(marker) || File.ReadAllText(marker) != fingerprint))
            Directory.Delete(modelDirectory, recursive: true);
        if (Directory.Exists(reportDirectory)) Directory.Delete(reportDirectory, recursive: true);
        if (!Directory.Exists(modelDirectory))
        {
            // The folder appears with its fingerprint already inside (staged, then renamed): a worker starting another fold
            // unit of this arm at the same moment never sees it without one, and so never deletes it as a stale run's.
            string staging = $"{modelDirectory}.new-{Guid.NewGuid():N}";
            Directory.CreateDirectory(staging);
            AtomicFile.WriteAllText(Path.Combine(staging, markerName), fingerprint);
            try { Directory.Move(staging, modelDirectory); }
            catch (IOException) when (Directory.Exists(modelDirectory)) { Directory.Delete(staging, recursive: true); } // another worker's, same fingerprint
        }
        Directory.CreateDirectory(reportDirectory);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, StudyResults.Json);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
