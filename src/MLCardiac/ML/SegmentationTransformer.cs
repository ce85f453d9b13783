using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Inference;
using MLCardiac.Models;
using MLCardiac.Training;

namespace MLCardiac.ML;

/// <summary>
/// A trained segmentation network in a pipeline: for each row, the <c>Slices</c> the pipeline's Preprocess stage prepared
/// go through the network (<see cref="VolumeSegmenter.Segment(ReadOnlySpan{float}, Preprocessing.SliceGeometry, bool, bool, int, CancellationToken)"/>:
/// slice-wise U-Net, arg-max, restore onto the grid of <c>ImageShape</c>/<c>SpacingMm</c>, largest component per
/// structure) and the labels land in <c>PredictedLabel</c> — so that <see cref="CardiacSegmentationCatalog.Evaluate"/>
/// measures in 3D and in mm, and no case is read or preprocessed twice. Dispose it to free the network.
/// </summary>
public sealed class SegmentationTransformer : CardiacTransformer, ICardiacStage, IDisposable
{
    internal const string StageKind = "Segmentation";

    internal SegmentationTransformer(SegmentationModel model, bool mirrorTta)
    {
        Model = model;
        MirrorTta = mirrorTta;
    }

    /// <summary>The model: network, preprocessing and the vendors it saw.</summary>
    public SegmentationModel Model { get; }
    /// <summary>True when inference averages over mirror images.</summary>
    public bool MirrorTta { get; }
    /// <summary>The training curve of the fit that produced this transformer (one record per epoch); empty for a loaded model.</summary>
    public IReadOnlyList<EpochRecord> History { get; internal init; } = [];
    /// <summary>0-based epoch whose weights were kept by that fit; -1 for a loaded model.</summary>
    public int BestEpoch { get; internal init; } = -1;
    /// <summary>True when early stopping ended that fit.</summary>
    public bool StoppedEarly { get; internal init; }
    /// <summary>
    /// The post-processing choice that fit made on its validation subjects (null without validation, and for a loaded
    /// model, whose choice is in <see cref="SegmentationModel.Description"/>).
    /// </summary>
    public PostProcessingChoice? PostProcessing { get; internal init; }
    /// <summary>Seconds that fit spent reading its rows' prepared slices before training (0 for a loaded model).</summary>
    public double DataSeconds { get; internal init; }

    internal static MappedColumn Column(IReadOnlyList<string> trainVendors, IReadOnlyList<string> targetVendors) =>
        new(CardiacColumnNames.PredictedLabel, new VectorDataViewType(NumberDataViewType.Byte),
            ColumnAccess.TextAnnotations(null,
                (CardiacColumnNames.TrainVendorsAnnotation, string.Join(",", trainVendors)),
                (CardiacColumnNames.TargetVendorsAnnotation, string.Join(",", targetVendors))));

    string ICardiacStage.Kind => StageKind;

    JsonObject ICardiacStage.SaveSettings() => new()
    {
        ["description"] = JsonSerializer.SerializeToNode(Model.Description with { Weights = "" }),
        ["mirrorTta"] = MirrorTta,
    };

    byte[]? ICardiacStage.SaveWeights()
    {
        using var ms = new MemoryStream();
        Model.SaveWeights(ms);
        return ms.ToArray();
    }

    internal static SegmentationTransformer Load(JsonObject settings, byte[] weights)
    {
        var description = settings["description"].Deserialize<ModelDescription>() ?? throw new JsonException("no model description");
        bool tta = (bool?)settings["mirrorTta"] ?? false;
        using var ms = new MemoryStream(weights, writable: false);
        return new SegmentationTransformer(SegmentationModel.LoadWeights(ms, description), tta);
    }

    /// <summary>Frees the network.</summary>
    public void Dispose() => Model.Dispose();

    private protected override RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        const string who = nameof(SegmentationTransformer);
        var (preprocessing, _) = SlicesColumn.Settings(input, who);
        if (preprocessing != Model.Description.Preprocessing)
            throw new ArgumentOutOfRangeException(nameof(input), $"{who}: column '{CardiacColumnNames.Slices}' was preprocessed with {preprocessing}; the network was trained on {Model.Description.Preprocessing}.");
        ColumnAccess.Require(input, CardiacColumnNames.ImageShape, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Int32), "a vector of 3 Int32 (X, Y, Z)", who);
        ColumnAccess.Require(input, CardiacColumnNames.SpacingMm, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Single), "a vector of 3 Single (mm)", who);
        return new RowMapping(input, [Column(Model.Description.TrainVendors, Model.Description.TargetVendors)],
            [CardiacColumnNames.Slices, CardiacColumnNames.ImageShape, CardiacColumnNames.SpacingMm], row =>
        {
            var slices = ColumnAccess.Vector<float>(row, CardiacColumnNames.Slices);
            var shape = ColumnAccess.Vector<int>(row, CardiacColumnNames.ImageShape);
            var spacing = ColumnAccess.Vector<float>(row, CardiacColumnNames.SpacingMm);
            return () =>
            {
                int[] n = shape();
                float[] mm = spacing();
                var geometry = Model.Preprocessor.Plan(n[0], n[1], n[2], new Imaging.Spacing(mm[0], mm[1], mm[2]));
                var predicted = Model.Segmenter.Segment(slices(), geometry, MirrorTta).Data;
                var labels = new byte[predicted.Length];
                for (int i = 0; i < labels.Length; i++) labels[i] = (byte)predicted[i];
                return [labels];
            };
        });
    }
}
