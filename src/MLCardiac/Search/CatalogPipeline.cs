using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Augmentation;
using MLCardiac.Data;
using MLCardiac.Evaluation;
using MLCardiac.Inference;
using MLCardiac.ML;
using MLCardiac.Training;

namespace MLCardiac.Search;

/// <summary>
/// A search configuration as a pipeline of the ML.NET catalog (<see cref="CardiacSegmentationCatalog"/>):
/// <c>LoadNifti → Preprocess → [Augment] → UNet | Dann</c>. Shared by the refit of the best configuration and by
/// <see cref="MlNetTrialObjective"/>, so both fit exactly the same chain.
/// </summary>
internal static class CatalogPipeline
{
    /// <summary>The stages before the trainer, and their description in words.</summary>
    public static (IEstimator<ITransformer> Features, IEstimator<ITransformer> Input, string Text) Features(CardiacSegmentationCatalog cardiac, SearchDefinition definition, SegmentationTrainerOptions options)
    {
        var preprocessing = new Preprocessing.PreprocessingOptions { Size = definition.Size, SpacingMm = definition.SpacingMm };
        IEstimator<ITransformer> input = cardiac.Transforms.LoadNifti().Append(cardiac.Transforms.Preprocess(preprocessing));
        string text = $"LoadNifti → Preprocess({definition.Size} px, {definition.SpacingMm.ToString(CultureInfo.InvariantCulture)} mm)";
        IEstimator<ITransformer> features = input;
        if (options.Augmentation != AugmentationPreset.None)
        {
            features = input.Append(cardiac.Transforms.Augment(options.Augmentation));
            text += $" → Augment({options.Augmentation.ToString().ToLowerInvariant()})";
        }
        return (features, input, text);
    }

    /// <summary>
    /// The trainer's options for <paramref name="options"/>: every searched setting carried over; DANN without target
    /// vendors (its domain head separates the training vendors, as in the trials); <paramref name="augmenter"/> (the
    /// preset at the searched strength) augments the batches.
    /// </summary>
    public static UNetTrainerOptions Trainer(SegmentationTrainerOptions options, SliceAugmenter? augmenter, IReadOnlyList<string> trainVendors,
        IDataView? validation, IProgress<TrainingProgress>? progress, Action<EpochRecord>? epochCompleted, CancellationToken cancellationToken) =>
        options.Dann is { } d
            ? new DannTrainerOptions
            {
                TargetVendors = [], MaxLambda = d.MaxLambda, Gamma = d.Gamma, DomainLossWeight = d.DomainLossWeight, TargetFraction = d.TargetFraction, HiddenFeatures = d.HiddenFeatures,
                Network = options.Network, Epochs = options.Epochs, IterationsPerEpoch = options.IterationsPerEpoch, BatchSize = options.BatchSize, LearningRate = options.LearningRate,
                WeightDecay = options.WeightDecay, DiceWeight = options.DiceWeight, CrossEntropyWeight = options.CrossEntropyWeight, ForegroundOversampling = options.ForegroundOversampling,
                EarlyStoppingPatience = options.EarlyStoppingPatience, Seed = options.Seed, Threads = options.Threads, Device = options.Device, TrainVendors = trainVendors,
                Augmenter = augmenter, Validation = validation, Progress = progress, EpochCompleted = epochCompleted, CancellationToken = cancellationToken,
            }
            : new UNetTrainerOptions
            {
                Network = options.Network, Epochs = options.Epochs, IterationsPerEpoch = options.IterationsPerEpoch, BatchSize = options.BatchSize, LearningRate = options.LearningRate,
                WeightDecay = options.WeightDecay, DiceWeight = options.DiceWeight, CrossEntropyWeight = options.CrossEntropyWeight, ForegroundOversampling = options.ForegroundOversampling,
                EarlyStoppingPatience = options.EarlyStoppingPatience, Seed = options.Seed, Threads = options.Threads, Device = options.Device, TrainVendors = trainVendors,
                Augmenter = augmenter, Validation = validation, Progress = progress, EpochCompleted = epochCompleted, CancellationToken = cancellationToken,
            };

    /// <summary>The trainer stage in words.</summary>
    public static string TrainerText(SegmentationTrainerOptions options) =>
        options.Dann is { } d ? $"Dann(λ ≤ {d.MaxLambda.ToString("G3", CultureInfo.InvariantCulture)})" : "UNet";

    /// <summary>
    /// Fits <paramref name="parameters"/> on <paramref name="train"/> (no validation: the last epoch's weights), saves the
    /// pipeline as <see cref="SegmentationTrialObjective.ModelFile"/> plus the same network as a model folder, then loads the
    /// file back in a fresh <see cref="MLContext"/> and evaluates it on <paramref name="test"/>. Everything is written into a
    /// staging folder beside <paramref name="directory"/> and moved in only once the evaluation has finished.
    /// </summary>
    public static RefitResult Refit(SearchDefinition definition, IReadOnlyList<CaseRecord> train, IReadOnlyList<CaseRecord> test, ParameterAssignment parameters,
        string directory, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var clock = Stopwatch.StartNew();
        var (options, augmenter) = SegmentationSearchOptions.Apply(parameters, definition.BaseOptions);
        string target = Path.GetFullPath(directory);
        string staging = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.refit-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            progress?.Report($"refitting {{{parameters}}} on {string.Join(", ", definition.TrainVendors)} through the ML.NET pipeline");
            string pipelineText = FitAndSave(definition, options, augmenter, train, staging, progress, cancellationToken);
            string stagedFile = Path.Combine(staging, SegmentationTrialObjective.ModelFile);
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            var cases = new List<RefitCase>();
            if (test.Count > 0)
            {
                progress?.Report($"testing the saved {SegmentationTrialObjective.ModelFile} on {string.Join(", ", definition.TestVendors)}");
                SegmentationMetrics m = EvaluateModelFile(stagedFile, test, definition.Seed, cancellationToken);
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
            // A model.onnx exported from an earlier refit no longer matches the new weights.
            File.Delete(Path.Combine(target, SegmentationModel.OnnxFile));
            foreach (string file in Directory.GetFiles(staging))
                File.Move(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
            return new RefitResult(directory, metrics, clock.Elapsed.TotalSeconds)
            {
                ModelFile = Path.Combine(directory, SegmentationTrialObjective.ModelFile), ModelSha256 = sha, ModelBytes = bytes, Pipeline = pipelineText, Cases = cases,
            };
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Fits the catalog pipeline on <paramref name="records"/> and saves it (model.zip + model folder) in <paramref name="folder"/>.</summary>
    private static string FitAndSave(SearchDefinition definition, SegmentationTrainerOptions options, SliceAugmenter? augmenter, IEnumerable<CaseRecord> records,
        string folder, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var cardiac = new MLContext(seed: options.Seed).CardiacSegmentation();
        IDataView train = cardiac.Data.FromRecords(records);
        var (features, _, text) = Features(cardiac, definition, options);
        UNetTrainerOptions trainer = Trainer(options, augmenter, definition.TrainVendors, null, progress is null ? null : new EpochLines(progress), null, cancellationToken);
        var pipeline = features.Append(trainer is DannTrainerOptions dann ? cardiac.Trainers.Dann(dann) : cardiac.Trainers.UNet(trainer));
        TransformerChain<SegmentationTransformer> model = pipeline.Fit(train);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            cardiac.SaveModel(model, train.Schema, Path.Combine(folder, SegmentationTrialObjective.ModelFile));
            SegmentationModel fitted = model.LastTransformer.Model;
            SegmentationModel.Save(folder, fitted.Network, fitted.Description with { Weights = SegmentationTrainer.BestWeightsFile });
        }
        finally
        {
            model.LastTransformer.Dispose();
        }
        return $"{text} → {TrainerText(options)}";
    }

    /// <summary>Loads <paramref name="modelFile"/> in a fresh <see cref="MLContext"/> and evaluates it on <paramref name="records"/>.</summary>
    public static SegmentationMetrics EvaluateModelFile(string modelFile, IEnumerable<CaseRecord> records, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var cardiac = new MLContext(seed: seed).CardiacSegmentation();
        TransformerChain<ITransformer> loaded = cardiac.LoadModel(modelFile, out _);
        try
        {
            return cardiac.Evaluate(loaded.Transform(cardiac.Data.FromRecords(records)), seed, cancellationToken);
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
                lines.Report(string.Create(CultureInfo.InvariantCulture, $"refit epoch {value.Epoch + 1}/{value.Epochs}: loss {value.Loss:F4}"));
        }
    }
}
