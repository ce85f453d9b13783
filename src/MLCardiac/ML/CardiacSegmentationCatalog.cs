using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLCardiac.ML;

/// <summary>
/// Cardiac MRI segmentation for ML.NET: case data views, transforms, trainers, evaluation in 3D and model files.
/// Obtained with <see cref="CardiacSegmentationExtensions.CardiacSegmentation(MLContext)"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Catalog verbs are instance members, as in ML.NET's own catalogs.")]
public sealed class CardiacSegmentationCatalog
{
    internal CardiacSegmentationCatalog(MLContext context, CardiacRunContext runContext)
    {
        Context = context;
        RunContext = runContext;
        Data = new CardiacDataCatalog();
        Transforms = new CardiacTransformsCatalog(runContext);
        Trainers = new CardiacTrainersCatalog(runContext);
    }

    /// <summary>The ML.NET context this catalog belongs to.</summary>
    public MLContext Context { get; }
    /// <summary>Progress, cancellation, checkpoints and the prepared-slice cache of every stage this catalog makes or loads.</summary>
    public CardiacRunContext RunContext { get; }
    /// <summary>Datasets as lazy case views, and subject-safe splits.</summary>
    public CardiacDataCatalog Data { get; }
    /// <summary>Loading, preprocessing and augmentation.</summary>
    public CardiacTransformsCatalog Transforms { get; }
    /// <summary>U-Net, DANN and the vendor classifier.</summary>
    public CardiacTrainersCatalog Trainers { get; }

    /// <summary>
    /// 3D metrics in mm of every labeled row of <paramref name="predictions"/> (the output of a fitted pipeline:
    /// <c>PredictedLabel</c> against <c>Label</c> on each image's grid), summarised per vendor, seen against unseen,
    /// with the Evaluation stage's metrics (<see cref="Evaluation.OverlapMetrics"/>, <see cref="Evaluation.VendorSummary"/>).
    /// </summary>
    /// <param name="predictions">Transformed data with <c>PredictedLabel</c>, <c>Label</c>, <c>ImageShape</c>, <c>SpacingMm</c>, <c>Vendor</c>.</param>
    /// <param name="seed">Seed of the bootstrap intervals.</param>
    /// <param name="progress">Receives the number of rows evaluated so far.</param>
    public SegmentationMetrics Evaluate(IDataView predictions, int seed = 1, IProgress<int>? progress = null) =>
        SegmentationEvaluator.Evaluate(predictions, seed, RunContext.CancellationToken, progress);

    /// <summary>
    /// Writes a fitted pipeline of this catalog's stages and its input schema to <paramref name="path"/>, atomically
    /// (a zip with a versioned manifest and the networks' weights; see src/MLCardiac/ML/README.md).
    /// <c>mlContext.Model.Save</c> cannot store these stages: ML.NET keeps its persistence internal.
    /// </summary>
    public void SaveModel(ITransformer model, DataViewSchema inputSchema, string path) => CardiacModelFile.Save(model, inputSchema, path);

    /// <summary>
    /// Reads a pipeline written by <see cref="SaveModel"/>: the stages as a <see cref="TransformerChain{T}"/> and the
    /// input schema. Throws <see cref="MLCardiacException"/> naming the file and entry when the file is of another
    /// format version, an entry is missing or corrupt, or an entry name is unsafe. Nothing is extracted to disk.
    /// </summary>
    public TransformerChain<ITransformer> LoadModel(string path, out DataViewSchema inputSchema) => CardiacModelFile.Load(path, out inputSchema, RunContext);

    /// <summary>
    /// Fits <paramref name="features"/> (the stages before the trainer: LoadNifti, Preprocess, Augment) on the training rows,
    /// then <paramref name="trainer"/> on their output with the validation rows passed through the same fitted stages — as
    /// ML.NET's trainers take validation data — and returns the whole fitted chain.
    /// </summary>
    public TransformerChain<ITransformer> Fit(IEstimator<ITransformer> features, SegmentationTrainerEstimator trainer, IDataView train, IDataView? validation)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(train);
        ITransformer prepared = features.Fit(train);
        SegmentationTransformer segmentation = trainer.Fit(prepared.Transform(train), validation is null ? null : prepared.Transform(validation));
        return new TransformerChain<ITransformer>([.. Stages(prepared), segmentation]);
    }

    /// <summary>
    /// The pipeline <paramref name="options"/> describe, fitted: <c>LoadNifti → Preprocess → [Augment] → UNet | Dann</c> on
    /// <paramref name="train"/> with <paramref name="validation"/> as the trainer's validation rows, then — when the options
    /// name them — the vendor classifier on every training row's prepared slices and the quality control of the fitted network
    /// (<see cref="QualityControlEstimator"/>: shift statistics from the training rows, calibration from the validation rows). The one way data becomes a model for
    /// <c>mlcardiac run</c>, <c>search</c> (trials and refit) and <c>train</c>.
    /// </summary>
    public TransformerChain<ITransformer> FitPipeline(SegmentationPipelineOptions options, IDataView train, IDataView? validation = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        try { options.Validate(); }
        catch (ArgumentException e) { throw new MLCardiacException($"The pipeline's options are invalid: {e.Message}", e); }
        IEstimator<ITransformer> features = Transforms.LoadNifti().Append(Transforms.Preprocess(options.Preprocessing));
        if (!options.Augmentation.IsNone) features = features.Append(Transforms.Augment(options.Augmentation));
        var chain = Fit(features, Trainers.UNet(options.Trainer), train, validation);
        if (options.VendorClassifier is null && options.QualityControl is null) return chain;
        var stages = chain.ToList();
        try
        {
            var prepared = new TransformerChain<ITransformer>([.. stages.Take(stages.Count - 1)]);
            var segmentation = (SegmentationTransformer)stages[^1];
            if (options.VendorClassifier is not null)
                stages.Add(Trainers.VendorClassifier(options.VendorClassifier).Fit(prepared.Transform(train)));
            if (options.QualityControl is not null)
            {
                // A pipeline fitted on a subject or two (a smoke test, a demo) has nothing to calibrate quality control on:
                // it is saved without the stage, and predict, serve and the report say there is no quality verdict.
                try { stages.Add(Trainers.QualityControl(segmentation, options.QualityControl).Fit(prepared.Transform(train), validation is null ? null : prepared.Transform(validation))); }
                catch (Inference.QualityControlDataException) { }
            }
            return new TransformerChain<ITransformer>([.. stages]);
        }
        catch
        {
            foreach (var stage in stages.OfType<IDisposable>()) stage.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One pipeline that averages the segmentation networks of <paramref name="members"/> — fitted pipelines that share
    /// their preprocessing, e.g. the fold models of a cross-validation (<see cref="CardiacDataCatalog.CrossValidationSplit"/>),
    /// or configurations of different width or depth: <c>LoadNifti → Preprocess → Segmentation</c> whose network is the
    /// ensemble (softmax averaged, <see cref="Inference.EnsembleBackend"/>), with the post-processing of
    /// <paramref name="postProcessing"/> (decided on out-of-fold predictions: <see cref="Inference.PostProcessingChoice.Merge"/>;
    /// null keeps every structure's largest component). Saved with <see cref="SaveModel"/>, it is one model file that predict,
    /// serve and ONNX export take like any other. The members' networks are copied: <paramref name="members"/> stay the caller's.
    /// Stages after the segmentation (vendor classifier, quality control) are not carried over: they were fitted on one member.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two members, a member without a segmentation stage, or members preprocessed differently.</exception>
    public TransformerChain<ITransformer> Ensemble(IReadOnlyList<ITransformer> members, Inference.PostProcessingChoice? postProcessing = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count < 2) throw new ArgumentException($"An ensemble needs at least two fitted pipelines ({members.Count} given).", nameof(members));
        var stages = members.Select(m => Stages(m).ToList()).ToList();
        var segmentations = stages.Select((s, i) => s.OfType<SegmentationTransformer>().SingleOrDefault()
            ?? throw new ArgumentException($"Member {i} has no segmentation stage.", nameof(members))).ToList();
        var first = segmentations[0].Model.Description;
        if (segmentations.FirstOrDefault(s => s.Model.Description.Preprocessing != first.Preprocessing) is { } other)
            throw new ArgumentException($"The members of an ensemble must share their preprocessing ({first.Preprocessing} against {other.Model.Description.Preprocessing}).", nameof(members));
        if (segmentations.Any(s => s.Model.IsEnsemble)) throw new ArgumentException("A member is itself an ensemble; ensemble its members instead.", nameof(members));
        var networks = new List<Models.SegmentationNetwork>();
        try
        {
            foreach (var s in segmentations)
            {
                var copy = Models.SegmentationNetwork.Create(s.Model.Network.Options);
                networks.Add(copy);
                using var ms = new MemoryStream();
                Training.SegmentationTrainer.SaveWeights(s.Model.Network, ms);
                ms.Position = 0;
                Training.SegmentationTrainer.LoadWeights(copy, ms);
            }
            static string[] Union(IEnumerable<IReadOnlyList<string>> lists) => [.. lists.SelectMany(l => l).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            var description = first with
            {
                Domains = Union(segmentations.Select(s => s.Model.Description.Domains)),
                TrainVendors = Union(segmentations.Select(s => s.Model.Description.TrainVendors)),
                TargetVendors = Union(segmentations.Select(s => s.Model.Description.TargetVendors)),
                LargestComponentLabels = postProcessing?.LargestComponentLabels,
            };
            var model = Inference.SegmentationModel.FromEnsemble(networks, description);
            var before = stages[0].TakeWhile(t => t is not SegmentationTransformer and not AugmentationTransformer);
            return new TransformerChain<ITransformer>([.. before, new SegmentationTransformer(model, segmentations[0].MirrorTta) { PostProcessing = postProcessing }]);
        }
        catch
        {
            foreach (var network in networks) network.Dispose();
            throw;
        }
    }

    private static IEnumerable<ITransformer> Stages(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Stages) : [model];

    /// <summary>
    /// The stages of <paramref name="model"/> after its <see cref="NiftiLoaderTransformer"/>: a model that takes a volume
    /// already in memory (<c>Image</c>, <c>ImageShape</c>, <c>SpacingMm</c>) — e.g. for a <c>PredictionEngine</c> over float arrays.
    /// </summary>
    public TransformerChain<ITransformer> WithoutLoader(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stages = model is IEnumerable<ITransformer> chain ? chain.ToArray() : [model];
        return new TransformerChain<ITransformer>(stages.Where(s => s is not NiftiLoaderTransformer).ToArray());
    }
}
