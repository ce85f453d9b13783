using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Imaging;
using MLCardiac.Preprocessing;

namespace MLCardiac.ML;

/// <summary>
/// Turns each row's volume into fixed-size, normalised 2D slices with <see cref="Preprocessor"/> (in-plane resampling
/// to <see cref="PreprocessingOptions.SpacingMm"/>, centred crop or pad to <see cref="PreprocessingOptions.Size"/>,
/// percentile clip and z-score over the frame), and its reference labels alike. The settings travel as an annotation
/// of the <c>Slices</c> column, so that the trainers record them in the model.
/// </summary>
public sealed class SlicePreprocessingTransformer : CardiacTransformer, ICardiacStage
{
    internal const string StageKind = "Preprocess";

    internal SlicePreprocessingTransformer(PreprocessingOptions options)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The preprocessing settings.</summary>
    public PreprocessingOptions Options { get; }

    internal static MappedColumn[] ColumnsFor(PreprocessingOptions o) =>
    [
        new(CardiacColumnNames.Slices, new VectorDataViewType(NumberDataViewType.Single, 0, o.Size, o.Size),
            ColumnAccess.TextAnnotations(null, (CardiacColumnNames.PreprocessingAnnotation, JsonSerializer.Serialize(o)))),
        new(CardiacColumnNames.LabelSlices, new VectorDataViewType(NumberDataViewType.Byte, 0, o.Size, o.Size)),
    ];

    string ICardiacStage.Kind => StageKind;
    JsonObject ICardiacStage.SaveSettings() => JsonSerializer.SerializeToNode(Options)!.AsObject();
    byte[]? ICardiacStage.SaveWeights() => null;

    internal static SlicePreprocessingTransformer Load(JsonObject settings) =>
        new(settings.Deserialize<PreprocessingOptions>() ?? throw new JsonException("empty preprocessing settings"));

    private protected override RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        VolumeColumns.Require(input, nameof(SlicePreprocessingTransformer));
        var preprocessor = new Preprocessor(Options);
        return new RowMapping(input, ColumnsFor(Options), [.. VolumeColumns.Names, CardiacColumnNames.Label], row =>
        {
            var volume = VolumeColumns.Reader(row);
            var label = ColumnAccess.OptionalVector<byte>(row, CardiacColumnNames.Label);
            return () =>
            {
                Volume image = volume();
                SliceGeometry geometry = preprocessor.Plan(image);
                float[] slices = Preprocessor.Image(image, 0, geometry, preprocessor.MeasureIntensity(image));
                byte[] labels = label();
                byte[] labelSlices = [];
                if (labels.Length > 0)
                {
                    if (labels.Length != image.VoxelsPerFrame)
                        throw new MLCardiacException($"Column '{CardiacColumnNames.Label}' holds {labels.Length} voxels, the image {image.VoxelsPerFrame}.");
                    var asFloat = new float[labels.Length];
                    for (int i = 0; i < labels.Length; i++) asFloat[i] = labels[i];
                    labelSlices = Preprocessor.Label(new Volume(asFloat, [image.SizeX, image.SizeY, image.SizeZ], image.SpacingMm), 0, geometry);
                }
                return [slices, labelSlices];
            };
        });
    }
}
