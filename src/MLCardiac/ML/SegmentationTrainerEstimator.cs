using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Inference;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// Trains a 2D U-Net — or a DANN with <see cref="DannTrainerOptions"/> — on the preprocessed rows with
/// <see cref="SegmentationTrainer"/>, and returns a <see cref="SegmentationTransformer"/> that segments volumes.
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Trains?</term><description>Yes: labeled rows of the training vendors; for DANN also the rows of the target vendors, as unlabeled data
/// (with no target vendor, DANN's domain head separates the labeled training vendors: adversarial domain generalisation).</description></item>
/// <item><term>Input columns</term><description><c>Slices</c> (annotated by Preprocess, optionally Augment), <c>LabelSlices</c>, <c>Vendor</c>, <c>Subject</c>; at transform <c>Image</c>, <c>ImageShape</c>, <c>SpacingMm</c>.</description></item>
/// <item><term>Output columns</term><description><c>PredictedLabel</c>: Byte vector, labels 0..3 on each image's own grid.</description></item>
/// </list>
/// </remarks>
public sealed class SegmentationTrainerEstimator : IEstimator<SegmentationTransformer>
{
    private readonly UNetTrainerOptions _options;

    internal SegmentationTrainerEstimator(UNetTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        // Fail early on bad numbers, naming the option (the core trainer validates them).
        options.ToTrainerOptions(Augmentation.AugmentationPreset.None, 1).Validate();
    }

    /// <summary>Trains on <paramref name="input"/> and returns the segmentation transformer.</summary>
    public SegmentationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        const string who = nameof(SegmentationTrainerEstimator);
        var (preprocessing, augmentation) = SlicesColumn.Settings(input.Schema, who);
        ColumnAccess.Require(input.Schema, CardiacColumnNames.LabelSlices, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Byte), "a vector of Byte", who);
        var targets = (_options as DannTrainerOptions)?.TargetVendors.ToHashSet(StringComparer.Ordinal) ?? [];
        var trainVendors = _options.TrainVendors?.ToHashSet(StringComparer.Ordinal);

        // Which rows train: labeled rows of the training vendors; the target vendors' rows as unlabeled data.
        var used = new List<(SlicesColumn.Row Row, bool Labeled)>();
        foreach (var row in SlicesColumn.Read(input, labels: true, _options.CancellationToken))
        {
            if (targets.Contains(row.Vendor)) used.Add((row, false));
            else if (row.Labels.Length > 0 && (trainVendors is null || trainVendors.Contains(row.Vendor))) used.Add((row, true));
        }
        if (!used.Any(u => u.Labeled))
            throw new MLCardiacException($"The training data has no labeled row of the training vendors ({(trainVendors is null ? "any" : string.Join(", ", trainVendors))}).");
        if (targets.Count > 0 && !used.Any(u => !u.Labeled))
            throw new MLCardiacException($"DANN: the training data has no row of the target vendors ({string.Join(", ", targets)}); SplitByVendor(..., targetVendors) puts their unlabeled subjects into the training side.");

        string[] domains = used.Select(u => u.Row.Vendor).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var slices = used.SelectMany(u => SlicesColumn.ToTrainingSlices(u.Row, preprocessing.Size, Array.IndexOf(domains, u.Row.Vendor), u.Labeled)).ToArray();
        var trainerOptions = _options.ToTrainerOptions(augmentation, preprocessing.SpacingMm);
        SliceDataset? validation = null;
        if (_options.Validation is { } v)
        {
            var (valPreprocessing, _) = SlicesColumn.Settings(v.Schema, who);
            if (valPreprocessing != preprocessing)
                throw new MLCardiacException($"{who}: the validation rows were preprocessed otherwise than the training rows (UNetTrainerOptions.Validation).");
            var valSlices = SlicesColumn.Read(v, labels: true, _options.CancellationToken).Where(r => r.Labels.Length > 0)
                .SelectMany(r => SlicesColumn.ToTrainingSlices(r, preprocessing.Size, Math.Max(0, Array.IndexOf(domains, r.Vendor)), withLabels: true)).ToArray();
            if (valSlices.Length > 0) validation = new SliceDataset(valSlices, domains);
        }
        TrainingResult result = new SegmentationTrainer(trainerOptions, _options.Augmenter) { EpochCompleted = _options.EpochCompleted }.Fit(new SliceDataset(slices, domains), validation,
            _options.CheckpointDirectory, resume: _options.CheckpointDirectory is not null, _options.Progress, _options.CancellationToken);
        var description = new ModelDescription
        {
            Network = trainerOptions.Network,
            Preprocessing = preprocessing,
            Domains = domains,
            TrainVendors = used.Where(u => u.Labeled).Select(u => u.Row.Vendor).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            TargetVendors = targets.Order(StringComparer.Ordinal).ToArray(),
        };
        return new SegmentationTransformer(SegmentationModel.FromNetwork(result.Model, description), _options.MirrorTta)
        {
            History = result.History, BestEpoch = result.BestEpoch, StoppedEarly = result.StoppedEarly,
        };
    }

    /// <summary>The input shape with <c>PredictedLabel</c> added; throws naming a missing or mistyped column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SlicesColumn.Require(inputSchema, nameof(SegmentationTrainerEstimator), labels: true);
        VolumeColumns.Require(inputSchema, nameof(SegmentationTrainerEstimator));
        return ColumnAccess.Extend(inputSchema, [SegmentationTransformer.Column(_options.TrainVendors ?? [], (_options as DannTrainerOptions)?.TargetVendors ?? [])]);
    }
}
