using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Inference;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// Trains a 2D U-Net — or a DANN when <see cref="SegmentationTrainerOptions.Dann"/> is set — on the preprocessed rows with
/// <see cref="SegmentationTrainer"/>, and returns a <see cref="SegmentationTransformer"/> that segments volumes.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Trains?</term><description>Yes: labeled rows of the training vendors; for DANN also the rows of its target vendors, as unlabeled data
/// (with no target vendor, DANN's domain head separates the labeled training vendors: adversarial domain generalisation).</description></item>
/// <item><term>Input columns</term><description><c>Slices</c> (annotated by Preprocess, optionally Augment), <c>LabelSlices</c>, <c>Vendor</c>, <c>Subject</c>; at transform <c>Slices</c>, <c>ImageShape</c>, <c>SpacingMm</c>.</description></item>
/// <item><term>Output columns</term><description><c>PredictedLabel</c>: Byte vector, labels 0..3 on each image's own grid.</description></item>
/// </list>
/// As ML.NET's trainers do, <see cref="Fit(IDataView, IDataView?)"/> takes validation rows beside the training rows (already
/// through the same Preprocess stage): the epoch with the best validation Dice is kept, and early stopping watches it.
/// Progress, cancellation and the checkpoint folder come from the catalog's <see cref="CardiacRunContext"/>.
/// </remarks>
public sealed class SegmentationTrainerEstimator : IEstimator<SegmentationTransformer>
{
    private readonly SegmentationTrainerOptions _options;
    private readonly CardiacRunContext _context;

    internal SegmentationTrainerEstimator(SegmentationTrainerOptions options, CardiacRunContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _context = context;
    }

    /// <summary>The hyperparameters.</summary>
    public SegmentationTrainerOptions Options => _options;

    /// <summary>Trains on <paramref name="input"/> (no validation: the last epoch is kept) and returns the segmentation transformer.</summary>
    public SegmentationTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>
    /// Trains on <paramref name="trainData"/>, validating on the labeled rows of <paramref name="validationData"/> after
    /// every epoch and keeping the best epoch; returns the segmentation transformer.
    /// </summary>
    public SegmentationTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        const string who = nameof(SegmentationTrainerEstimator);
        var clock = Stopwatch.StartNew();
        var (preprocessing, augmentation) = SlicesColumn.Settings(trainData.Schema, who);
        ColumnAccess.Require(trainData.Schema, CardiacColumnNames.LabelSlices, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Byte), "a vector of Byte", who);
        var targets = _options.Dann?.TargetVendors.ToHashSet(StringComparer.Ordinal) ?? [];
        var trainVendors = _options.TrainVendors?.ToHashSet(StringComparer.Ordinal);
        CancellationToken cancel = _context.CancellationToken;

        // Which rows train: labeled rows of the training vendors; the target vendors' rows as unlabeled data.
        var used = new List<(SlicesColumn.Row Row, bool Labeled)>();
        foreach (var row in SlicesColumn.Read(trainData, labels: true, cancel))
        {
            if (targets.Contains(row.Vendor)) used.Add((row, false));
            else if (row.Labels.Length > 0 && (trainVendors is null || trainVendors.Contains(row.Vendor))) used.Add((row, true));
        }
        if (!used.Any(u => u.Labeled))
            throw new MLCardiacException($"The training data has no labeled row of the training vendors ({(trainVendors is null ? "any" : string.Join(", ", trainVendors))}).");
        if (targets.Count > 0 && !used.Any(u => !u.Labeled))
            throw new MLCardiacException($"DANN: the training data has no row of the target vendors ({string.Join(", ", targets)}); SplitByVendor(..., targetVendors) puts their unlabeled subjects into the training side.");

        string[] domains = used.Select(u => u.Row.Vendor).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var slices = used.SelectMany((u, i) => SlicesColumn.ToTrainingSlices(u.Row, preprocessing.Size, Array.IndexOf(domains, u.Row.Vendor), u.Labeled, volume: i)).ToArray();
        SliceDataset? validation = null;
        var validationRows = new List<SlicesColumn.Row>();
        if (validationData is not null)
        {
            var (valPreprocessing, _) = SlicesColumn.Settings(validationData.Schema, who);
            if (valPreprocessing != preprocessing)
                throw new MLCardiacException($"{who}: the validation rows were preprocessed otherwise than the training rows ({valPreprocessing} against {preprocessing}).");
            validationRows.AddRange(SlicesColumn.Read(validationData, labels: true, cancel).Where(r => r.Labels.Length > 0));
            var valSlices = validationRows
                .SelectMany((r, i) => SlicesColumn.ToTrainingSlices(r, preprocessing.Size, Math.Max(0, Array.IndexOf(domains, r.Vendor)), withLabels: true, volume: i)).ToArray();
            if (valSlices.Length > 0) validation = new SliceDataset(valSlices, domains);
        }
        double dataSeconds = clock.Elapsed.TotalSeconds;
        var pipeline = augmentation.IsNone ? null : augmentation.CreatePipeline();
        bool stacks = _options.Network.IsVolumetric;
        TrainingResult result = new SegmentationTrainer(_options, stacks ? null : pipeline?.ToSliceAugmenter(preprocessing.SpacingMm), augmentation.ToString(),
            stacks ? pipeline?.ToStackAugmenter(preprocessing.SpacingMm) : null) { EpochCompleted = _context.EpochCompleted, InputWorkers = _context.InputWorkers }
            .Fit(new SliceDataset(slices, domains), validation, _context.CheckpointDirectory, _context.Resume && _context.CheckpointDirectory is not null, _context.Progress, cancel);
        var description = new ModelDescription
        {
            Network = _options.Network,
            Preprocessing = preprocessing,
            Domains = domains,
            TrainVendors = used.Where(u => u.Labeled).Select(u => u.Row.Vendor).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            TargetVendors = targets.Order(StringComparer.Ordinal).ToArray(),
        };
        var model = SegmentationModel.FromNetwork(result.Model, description);
        PostProcessingChoice? postProcessing = null;
        if (validationRows.Count > 0)
        {
            // nnU-Net's post-processing step: the validation subjects, segmented by the kept weights, decide per structure
            // whether only the largest component is kept (see PostProcessingChoice).
            int size = preprocessing.Size, px = size * size;
            var cases = validationRows.Select(r => (Predicted: model.Segmenter.PredictSlices(r.Slices, r.Slices.Length / px, size, _options.MirrorTta, cancellationToken: cancel),
                Reference: r.Labels, Columns: size, Rows: size)).ToList();
            postProcessing = PostProcessingChoice.Decide(cases);
            model.SetLargestComponentLabels(postProcessing.LargestComponentLabels);
        }
        return new SegmentationTransformer(model, _options.MirrorTta)
        {
            History = result.History, BestEpoch = result.BestEpoch, StoppedEarly = result.StoppedEarly, DataSeconds = dataSeconds, PostProcessing = postProcessing,
        };
    }

    /// <summary>The input shape with <c>PredictedLabel</c> added; throws naming a missing or mistyped column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SlicesColumn.Require(inputSchema, nameof(SegmentationTrainerEstimator), labels: true);
        ColumnAccess.Require(inputSchema, CardiacColumnNames.ImageShape, c => ColumnAccess.IsVectorOf(c, NumberDataViewType.Int32), "a vector of 3 Int32 (X, Y, Z)", nameof(SegmentationTrainerEstimator));
        ColumnAccess.Require(inputSchema, CardiacColumnNames.SpacingMm, c => ColumnAccess.IsVectorOf(c, NumberDataViewType.Single), "a vector of 3 Single (mm)", nameof(SegmentationTrainerEstimator));
        return ColumnAccess.Extend(inputSchema, [SegmentationTransformer.Column(_options.TrainVendors ?? [], _options.Dann?.TargetVendors ?? [])]);
    }
}
