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
/// percentile clip and z-score over the frame — nnU-Net's per-image normalisation, one 3D image being one frame), and
/// its reference labels alike. The settings travel as an annotation of the <c>Slices</c> column, so that the trainers
/// record them in the model. With a <see cref="PreparedSliceCache"/> (from the catalog's <see cref="CardiacRunContext"/>)
/// a row read from files is prepared once: later cursors, fits, trials and runs take its slices from the cache without
/// reading the image.
/// </summary>
public sealed class SlicePreprocessingTransformer : CardiacTransformer, ICardiacStage
{
    internal const string StageKind = "Preprocess";

    internal SlicePreprocessingTransformer(PreprocessingOptions options, PreparedSliceCache? cache)
    {
        options.Validate();
        Options = options;
        Cache = cache;
    }

    /// <summary>Where prepared rows are kept; null: none.</summary>
    public PreparedSliceCache? Cache { get; }

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

    internal static SlicePreprocessingTransformer Load(JsonObject settings, PreparedSliceCache? cache) =>
        new(settings.Deserialize<PreprocessingOptions>() ?? throw new JsonException("empty preprocessing settings"), cache);

    private protected override RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        VolumeColumns.Require(input, nameof(SlicePreprocessingTransformer));
        var preprocessor = new Preprocessor(Options);
        string[] source = [CardiacColumnNames.ImagePath, CardiacColumnNames.ImageFrame, CardiacColumnNames.LabelPath, CardiacColumnNames.LabelFrame, CardiacColumnNames.LabelMap];
        return new RowMapping(input, ColumnsFor(Options), [.. VolumeColumns.Names, CardiacColumnNames.Label, .. source], row =>
        {
            var volume = VolumeColumns.Reader(row);
            var label = ColumnAccess.OptionalVector<byte>(row, CardiacColumnNames.Label);
            Func<string?> key = () => null;
            if (Cache is not null)
            {
                var imagePath = ColumnAccess.OptionalText(row, CardiacColumnNames.ImagePath);
                var imageFrame = ColumnAccess.OptionalInt32(row, CardiacColumnNames.ImageFrame);
                var labelPath = ColumnAccess.OptionalText(row, CardiacColumnNames.LabelPath);
                var labelFrame = ColumnAccess.OptionalInt32(row, CardiacColumnNames.LabelFrame);
                var labelMap = ColumnAccess.OptionalVector<byte>(row, CardiacColumnNames.LabelMap);
                key = () => PreparedSliceCache.Key(imagePath(), imageFrame(), labelPath(), labelFrame(), labelMap(), Options);
            }
            return () =>
            {
                string? k = key();
                if (k is not null && Cache!.TryGet(k, out PreparedSlices cached)) return [cached.Slices, cached.LabelSlices];
                Volume image = volume();
                SliceGeometry geometry = preprocessor.Plan(image);
                float[] slices = Preprocessor.Image(image, 0, geometry, preprocessor.MeasureIntensity(image, 0));
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
                if (k is not null)
                    Cache!.Put(k, new PreparedSlices(slices, labelSlices, [image.SizeX, image.SizeY, image.SizeZ],
                        [(float)image.SpacingMm.X, (float)image.SpacingMm.Y, (float)image.SpacingMm.Z]));
                return [slices, labelSlices];
            };
        });
    }
}
