using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Augmentation;

namespace MLCardiac.ML;

/// <summary>
/// Augmentation that acts only while a trainer fits: the data pass through unchanged (at fit time and at inference),
/// and the preset rides on the <c>Slices</c> column as an annotation. The segmentation trainers read it and augment
/// every batch afresh inside their training loop (<see cref="Training.SegmentationTrainer"/>: a new random draw per
/// step, seeded by (seed, epoch, step)) — the on-line augmentation that a static transform of the data could not give.
/// </summary>
public sealed class AugmentationTransformer : ITransformer, ICardiacStage
{
    internal const string StageKind = "Augment";

    internal AugmentationTransformer(AugmentationPreset preset) => Preset = preset;

    /// <summary>The preset the trainers apply.</summary>
    public AugmentationPreset Preset { get; }

    /// <summary>True: maps row to row (as the identity).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema, <c>Slices</c> re-declared with the augmentation annotation.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>The row mapper (the identity on values).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Bind(inputSchema);

    /// <summary>The input rows, values unchanged.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, Bind(input.Schema));
    }

    /// <summary>Not supported: save with <see cref="CardiacSegmentationCatalog.SaveModel"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw CardiacModelFile.NotSavableByMlNet(nameof(AugmentationTransformer));

    string ICardiacStage.Kind => StageKind;
    JsonObject ICardiacStage.SaveSettings() => new() { ["preset"] = Preset.ToString() };
    byte[]? ICardiacStage.SaveWeights() => null;

    internal static AugmentationTransformer Load(JsonObject settings) =>
        Enum.TryParse((string?)settings["preset"], out AugmentationPreset preset) && Enum.IsDefined(preset)
            ? new AugmentationTransformer(preset)
            : throw new System.Text.Json.JsonException($"unknown augmentation preset '{settings["preset"]}'");

    private RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var slices = ColumnAccess.Require(input, CardiacColumnNames.Slices, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Single), "a vector of Single (put Preprocess first)", nameof(AugmentationTransformer));
        var annotated = new MappedColumn(CardiacColumnNames.Slices, slices.Type,
            ColumnAccess.TextAnnotations(slices.Annotations, (CardiacColumnNames.AugmentationAnnotation, Preset.ToString())), CopyOf: CardiacColumnNames.Slices);
        return new RowMapping(input, [annotated], [], _ => () => []);
    }
}
