using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Inference;

namespace MLCardiac.ML;

/// <summary>
/// Fits the quality control of a trained segmentation stage (<see cref="QualityAssessor.Fit"/>) and returns a
/// <see cref="QualityControlTransformer"/>: shift statistics from the training rows of the vendors whose labels trained the
/// network, the shift threshold and the Dice predictor from held-out validation rows (and degraded copies).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>Trains?</term><description>Yes, statistics only: the network is the segmentation stage's, unchanged.</description></item>
/// <item><term>Input columns</term><description><c>Slices</c>, <c>LabelSlices</c>, <c>Vendor</c>, <c>Subject</c>; at transform <c>Slices</c>, <c>ImageShape</c>, <c>SpacingMm</c>, <c>PredictedLabel</c>.</description></item>
/// <item><term>Output columns</term><description><c>ShiftScore</c>, <c>ShiftDetected</c>, <c>PredictedDice</c>, <c>PredictedDiceLow</c>, <c>PredictedDiceHigh</c>, <c>QcFlagged</c>, <c>QcReasons</c>.</description></item>
/// </list>
/// The estimator is made for one fitted segmentation stage (it judges that network), so it is created after the segmentation
/// fit — <see cref="CardiacSegmentationCatalog.FitPipeline"/> does so when the pipeline's options ask for quality control.
/// </remarks>
public sealed class QualityControlEstimator : IEstimator<QualityControlTransformer>
{
    private readonly SegmentationTransformer _segmentation;
    private readonly QualityControlOptions _options;
    private readonly CardiacRunContext _context;

    internal QualityControlEstimator(SegmentationTransformer segmentation, QualityControlOptions options, CardiacRunContext context)
    {
        ArgumentNullException.ThrowIfNull(segmentation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _segmentation = segmentation;
        _options = options;
        _context = context;
    }

    /// <summary>Fits on <paramref name="input"/> alone: the Dice predictor learns from degraded training rows only.</summary>
    public QualityControlTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>Fits on the training rows <paramref name="trainData"/> and the held-out rows <paramref name="validationData"/> (both through the pipeline's Preprocess stage).</summary>
    public QualityControlTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        const string who = nameof(QualityControlEstimator);
        var (preprocessing, _) = SlicesColumn.Settings(trainData.Schema, who);
        if (preprocessing != _segmentation.Model.Description.Preprocessing)
            throw new ArgumentOutOfRangeException(nameof(trainData), $"{who}: the rows were preprocessed with {preprocessing}; the network was trained on {_segmentation.Model.Description.Preprocessing}.");
        var vendors = _segmentation.Model.Description.TrainVendors.ToHashSet(StringComparer.Ordinal);
        List<QualityCase> Cases(IDataView data) => [.. SlicesColumn.Read(data, labels: true, _context.CancellationToken)
            .Where(r => r.Labels.Length > 0 && (vendors.Count == 0 || vendors.Contains(r.Vendor)))
            .Select(r => new QualityCase(r.Subject, r.Slices, r.Labels))];
        var training = Cases(trainData);
        var validation = validationData is null ? [] : Cases(validationData);
        QualityAssessor assessor;
        lock (_segmentation.Model.Network)
            assessor = QualityAssessor.Fit(_segmentation.Model.Network, preprocessing.Size, training, validation, _options, null, _context.CancellationToken);
        return new QualityControlTransformer(assessor, _segmentation);
    }

    /// <summary>The input shape with the quality-control columns added; throws naming a missing or mistyped column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SlicesColumn.Require(inputSchema, nameof(QualityControlEstimator), labels: true);
        return ColumnAccess.Extend(inputSchema, QualityControlTransformer.Columns());
    }
}
