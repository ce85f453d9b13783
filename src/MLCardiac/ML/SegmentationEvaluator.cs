using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Data;
using MLCardiac.Evaluation;

namespace MLCardiac.ML;

/// <summary>Reads a pipeline's predictions and scores them with the Evaluation stage's own metrics.</summary>
internal static class SegmentationEvaluator
{
    /// <summary>
    /// Scores every labeled row. With <paramref name="compareAlwaysFiltered"/> each case also gets the Dice it would have
    /// with the largest-component filter on every structure (<see cref="CaseResult.DiceAlwaysFiltered"/>): a study asks for
    /// it when a model's post-processing left a structure unfiltered; other callers do not pay for the extra pass.
    /// </summary>
    public static SegmentationMetrics Evaluate(IDataView predictions, int seed, CancellationToken cancellationToken,
        IProgress<int>? progress = null, Action<CaseResult, byte[]>? predicted = null, bool compareAlwaysFiltered = false)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        const string who = "Evaluate";
        var schema = predictions.Schema;
        var predictedColumn = ColumnAccess.Require(schema, CardiacColumnNames.PredictedLabel, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Byte), "a vector of Byte (apply a trained segmentation model first)", who);
        ColumnAccess.Require(schema, CardiacColumnNames.Label, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Byte), "a vector of Byte (LoadNifti reads it from LabelPath)", who);
        ColumnAccess.Require(schema, CardiacColumnNames.ImageShape, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Int32), "a vector of 3 Int32", who);
        ColumnAccess.Require(schema, CardiacColumnNames.SpacingMm, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Single), "a vector of 3 Single", who);
        ColumnAccess.Require(schema, CardiacColumnNames.Vendor, ColumnAccess.IsText, "text", who);
        string[] trainVendors = Split(ColumnAccess.TextAnnotation(predictedColumn, CardiacColumnNames.TrainVendorsAnnotation));
        string[] targetVendors = Split(ColumnAccess.TextAnnotation(predictedColumn, CardiacColumnNames.TargetVendorsAnnotation));

        bool hasQuality = QualityColumns.All(c => schema.GetColumnOrNull(c) is not null);
        // Only the columns read here: the image itself is never asked for, so only segmentation and labels are computed.
        string[] names =
        [
            CardiacColumnNames.PredictedLabel, CardiacColumnNames.Label, CardiacColumnNames.ImageShape, CardiacColumnNames.SpacingMm,
            CardiacColumnNames.Subject, CardiacColumnNames.Vendor, CardiacColumnNames.Centre, CardiacColumnNames.Frame, CardiacColumnNames.ImagePath,
            CardiacColumnNames.ImageFrame, CardiacColumnNames.LabelPath, CardiacColumnNames.LabelFrame, CardiacColumnNames.Dataset,
            CardiacColumnNames.Source, .. (hasQuality ? QualityColumns : []),
        ];
        using var cursor = predictions.GetRowCursor(names.Select(n => schema.GetColumnOrNull(n)).OfType<DataViewSchema.Column>());
        var predictedLabels = ColumnAccess.Vector<byte>(cursor, CardiacColumnNames.PredictedLabel);
        var label = ColumnAccess.Vector<byte>(cursor, CardiacColumnNames.Label);
        var shape = ColumnAccess.Vector<int>(cursor, CardiacColumnNames.ImageShape);
        var spacing = ColumnAccess.Vector<float>(cursor, CardiacColumnNames.SpacingMm);
        var record = CaseDataView.Reader(cursor);
        Func<CaseQuality>? quality = hasQuality ? QualityReader(cursor) : null;
        var cases = new List<CaseResult>();
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] truthBytes = label();
            if (truthBytes.Length == 0) continue; // unlabeled row: nothing to compare with
            CaseRecord r = record();
            int[] n = shape();
            float[] mm = spacing();
            byte[] predictedBytes = predictedLabels();
            float[] p = ToFloat(predictedBytes), t = ToFloat(truthBytes);
            if (p.Length != t.Length)
                throw new MLCardiacException($"Subject {r.Subject} ({r.Role}): {p.Length} predicted voxels against {t.Length} reference voxels.");
            OverlapMetrics M(int structure) => OverlapMetrics.Compute(p, t, structure, n[0], n[1], n[2], mm[0], mm[1], mm[2]);
            var result = new CaseResult(r, M(1), M(2), M(3)) { Quality = quality?.Invoke(), DiceAlwaysFiltered = compareAlwaysFiltered ? DiceAlwaysFiltered(p, truthBytes, n) : null,
                SlicePositionDice = SlicePositions.Dice(predictedBytes, truthBytes, n[0], n[1], n[2]) };
            cases.Add(result);
            predicted?.Invoke(result, predictedBytes);
            progress?.Report(cases.Count);
        }
        if (cases.Count == 0) throw new MLCardiacException("Evaluate: the predictions have no labeled row (column 'Label' is empty everywhere).");

        string Role(string vendor) => trainVendors.Contains(vendor) ? "seen" : targetVendors.Contains(vendor) ? "target" : "unseen";
        var vendors = cases.GroupBy(c => c.Record.Vendor, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => VendorSummary.From(g.Key, Role(g.Key), g.ToList(), seed)).ToArray();
        var seen = cases.Where(c => Role(c.Record.Vendor) == "seen").ToList();
        var unseen = cases.Where(c => Role(c.Record.Vendor) != "seen").ToList();
        return new SegmentationMetrics(cases, vendors, VendorSummary.From("all", "all", cases, seed),
            seen.Count > 0 ? VendorSummary.From("seen", "seen", seen, seed) : null,
            unseen.Count > 0 ? VendorSummary.From("unseen", "unseen", unseen, seed) : null,
            trainVendors, targetVendors);
    }

    /// <summary>
    /// Dice of structures 1..3 after the largest-component filter on every structure, applied to a copy of the prediction
    /// (the same values as the case's when the model already filters every structure: the filter is idempotent).
    /// </summary>
    private static double[] DiceAlwaysFiltered(float[] predicted, byte[] truth, int[] shape)
    {
        var filtered = (float[])predicted.Clone();
        Inference.LargestComponent.Apply(filtered, shape[0], shape[1], shape[2]);
        var labels = new byte[filtered.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)filtered[i];
        return [Inference.QualityFeatures.Dice(labels, truth, 1), Inference.QualityFeatures.Dice(labels, truth, 2), Inference.QualityFeatures.Dice(labels, truth, 3)];
    }

    private static readonly string[] QualityColumns =
    [
        CardiacColumnNames.ShiftScore, CardiacColumnNames.ShiftDetected, CardiacColumnNames.PredictedDice, CardiacColumnNames.PredictedDiceLow,
        CardiacColumnNames.PredictedDiceHigh, CardiacColumnNames.QcFlagged, CardiacColumnNames.QcReasons,
    ];

    private static Func<CaseQuality> QualityReader(DataViewRow row)
    {
        var score = row.GetGetter<float>(row.Schema[CardiacColumnNames.ShiftScore]);
        var shifted = row.GetGetter<bool>(row.Schema[CardiacColumnNames.ShiftDetected]);
        var dice = ColumnAccess.Vector<float>(row, CardiacColumnNames.PredictedDice);
        var low = ColumnAccess.Vector<float>(row, CardiacColumnNames.PredictedDiceLow);
        var high = ColumnAccess.Vector<float>(row, CardiacColumnNames.PredictedDiceHigh);
        var flagged = row.GetGetter<bool>(row.Schema[CardiacColumnNames.QcFlagged]);
        var reasons = ColumnAccess.Vector<ReadOnlyMemory<char>>(row, CardiacColumnNames.QcReasons);
        static double[] D(float[] v) => [.. v.Select(x => (double)x)];
        return () =>
        {
            float s = 0;
            bool sh = false, fl = false;
            score(ref s);
            shifted(ref sh);
            flagged(ref fl);
            return new CaseQuality(s, sh, D(dice()), D(low()), D(high()), fl, [.. reasons().Select(r => r.ToString())]);
        };
    }

    private static string[] Split(string? list) => string.IsNullOrEmpty(list) ? [] : list.Split(',');

    private static float[] ToFloat(byte[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }
}
