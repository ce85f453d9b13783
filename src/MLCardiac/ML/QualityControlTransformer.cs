using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Evaluation;
using MLCardiac.Inference;

namespace MLCardiac.ML;

/// <summary>
/// When not to trust a segmentation, as columns of every row (<see cref="QualityAssessor"/>): the shift score of the scan
/// against the training scans and whether it passes the calibrated threshold, a predicted Dice per structure with its
/// interval, and the QC flag with its reasons (shift, low predicted Dice, broken anatomical rules). It reads the network of
/// the segmentation stage before it in the chain; it does not own it.
/// </summary>
public sealed class QualityControlTransformer : CardiacTransformer, ICardiacStage
{
    internal const string StageKind = "QualityControl";

    internal QualityControlTransformer(QualityAssessor assessor, SegmentationTransformer segmentation)
    {
        Assessor = assessor;
        Segmentation = segmentation;
    }

    /// <summary>The fitted quality control.</summary>
    public QualityAssessor Assessor { get; }

    /// <summary>The segmentation stage whose network and predictions it judges.</summary>
    public SegmentationTransformer Segmentation { get; }

    private static DataViewSchema.Annotations StructureNames()
    {
        var names = QualityFeatures.Structures.Select(s => s.AsMemory()).ToArray();
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, names.Length),
            (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone())));
        return builder.ToAnnotations();
    }

    internal static MappedColumn[] Columns()
    {
        int k = QualityFeatures.Structures.Length;
        return
        [
            new(CardiacColumnNames.ShiftScore, NumberDataViewType.Single),
            new(CardiacColumnNames.ShiftDetected, BooleanDataViewType.Instance),
            new(CardiacColumnNames.PredictedDice, new VectorDataViewType(NumberDataViewType.Single, k), StructureNames()),
            new(CardiacColumnNames.PredictedDiceLow, new VectorDataViewType(NumberDataViewType.Single, k), StructureNames()),
            new(CardiacColumnNames.PredictedDiceHigh, new VectorDataViewType(NumberDataViewType.Single, k), StructureNames()),
            new(CardiacColumnNames.QcFlagged, BooleanDataViewType.Instance),
            new(CardiacColumnNames.QcReasons, new VectorDataViewType(TextDataViewType.Instance)),
        ];
    }

    string ICardiacStage.Kind => StageKind;

    JsonObject ICardiacStage.SaveSettings() => new()
    {
        ["options"] = JsonSerializer.SerializeToNode(Assessor.Options),
        ["threshold"] = Assessor.Threshold,
        ["dimensions"] = Assessor.Detector.Dimensions,
        ["shrinkage"] = Assessor.Detector.Shrinkage,
        ["cases"] = Assessor.Detector.Cases,
        ["dice"] = JsonSerializer.SerializeToNode(Assessor.Dice.ToArray()),
    };

    byte[]? ICardiacStage.SaveWeights()
    {
        var (mean, scale, precision) = Assessor.Detector.Export();
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
            foreach (double v in mean.Concat(scale).Concat(precision)) w.Write(v);
        return ms.ToArray();
    }

    internal static QualityControlTransformer Load(JsonObject settings, byte[] weights, IReadOnlyList<ITransformer> before)
    {
        var segmentation = before.OfType<SegmentationTransformer>().LastOrDefault()
            ?? throw new JsonException("a QualityControl stage without a Segmentation stage before it");
        var options = settings["options"].Deserialize<QualityControlOptions>() ?? throw new JsonException("no options");
        double threshold = (double?)settings["threshold"] ?? throw new JsonException("no threshold");
        int d = (int?)settings["dimensions"] ?? throw new JsonException("no dimensions");
        double shrinkage = (double?)settings["shrinkage"] ?? throw new JsonException("no shrinkage");
        int cases = (int?)settings["cases"] ?? throw new JsonException("no cases");
        var dice = settings["dice"].Deserialize<DicePredictor[]>() ?? throw new JsonException("no dice predictors");
        if (dice.Length != QualityFeatures.Structures.Length) throw new JsonException($"{dice.Length} dice predictors, not {QualityFeatures.Structures.Length}");
        int expected = QualityFeatures.ShiftLength(segmentation.Model.Network.Options);
        if (d != expected) throw new JsonException($"shift statistics of {d} features; the segmentation network gives {expected}");
        if (weights.LongLength != (2L * d + (long)d * d) * sizeof(double)) throw new JsonException($"{weights.Length} bytes of shift statistics, not {(2L * d + (long)d * d) * sizeof(double)}");
        var values = new double[weights.Length / sizeof(double)];
        Buffer.BlockCopy(weights, 0, values, 0, weights.Length);
        var detector = ShiftDetector.Import(values[..d], values[d..(2 * d)], values[(2 * d)..], shrinkage, cases);
        if (!double.IsFinite(threshold)) throw new JsonException("a non-finite threshold");
        return new QualityControlTransformer(new QualityAssessor(segmentation.Model.Network, detector, threshold, dice, options), segmentation);
    }

    /// <summary>
    /// The verdict on frame <paramref name="frame"/> of <paramref name="image"/> segmented as <paramref name="labels"/> (labels
    /// 0..3 on the image grid, one frame): the frame goes through the segmentation stage's own preprocessing, as in the chain.
    /// For applications that segment volumes rather than data views (<c>predict</c>, the HTTP service).
    /// </summary>
    public QualityAssessment Assess(Imaging.Volume image, int frame, ReadOnlySpan<float> labels, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var prep = Segmentation.Model.Preprocessor;
        var geometry = prep.Plan(image);
        float[] slices = Preprocessing.Preprocessor.Image(image, frame, geometry, prep.MeasureIntensity(image, frame));
        var bytes = new byte[image.VoxelsPerFrame];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = labels[i] is >= 0 and <= 3 ? (byte)labels[i] : (byte)0;
        lock (Segmentation.Model.Network)
            return Assessor.Assess(slices, geometry.Size, bytes, image.SizeX, image.SizeY, image.SizeZ, image.SpacingMm, cancellationToken);
    }

    private protected override RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        const string who = nameof(QualityControlTransformer);
        var (preprocessing, _) = SlicesColumn.Settings(input, who);
        if (preprocessing != Segmentation.Model.Description.Preprocessing)
            throw new ArgumentOutOfRangeException(nameof(input), $"{who}: column '{CardiacColumnNames.Slices}' was preprocessed with {preprocessing}; the network was trained on {Segmentation.Model.Description.Preprocessing}.");
        ColumnAccess.Require(input, CardiacColumnNames.ImageShape, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Int32), "a vector of 3 Int32 (X, Y, Z)", who);
        ColumnAccess.Require(input, CardiacColumnNames.SpacingMm, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Single), "a vector of 3 Single (mm)", who);
        ColumnAccess.Require(input, CardiacColumnNames.PredictedLabel, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Byte), "a vector of Byte (the segmentation stage's labels)", who);
        int size = preprocessing.Size;
        return new RowMapping(input, Columns(), [CardiacColumnNames.Slices, CardiacColumnNames.ImageShape, CardiacColumnNames.SpacingMm, CardiacColumnNames.PredictedLabel], row =>
        {
            var slices = ColumnAccess.Vector<float>(row, CardiacColumnNames.Slices);
            var shape = ColumnAccess.Vector<int>(row, CardiacColumnNames.ImageShape);
            var spacing = ColumnAccess.Vector<float>(row, CardiacColumnNames.SpacingMm);
            var labels = ColumnAccess.Vector<byte>(row, CardiacColumnNames.PredictedLabel);
            return () =>
            {
                int[] n = shape();
                float[] mm = spacing();
                QualityAssessment a;
                lock (Segmentation.Model.Network) // one network is not safe for concurrent forward passes
                    a = Assessor.Assess(slices(), size, labels(), n[0], n[1], n[2], new Imaging.Spacing(mm[0], mm[1], mm[2]));
                static float[] F(double[] v) => [.. v.Select(x => (float)x)];
                return [(float)a.ShiftScore, a.Shifted, F(a.PredictedDice), F(a.PredictedDiceLow), F(a.PredictedDiceHigh), a.Flagged,
                    a.Reasons.Select(r => r.AsMemory()).ToArray()];
            };
        });
    }
}
