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
public sealed class AugmentationTransformer : CardiacTransformer, ICardiacStage
{
    internal const string StageKind = "Augment";

    internal AugmentationTransformer(AugmentationPreset preset) => Preset = preset;

    /// <summary>The preset the trainers apply.</summary>
    public AugmentationPreset Preset { get; }

    string ICardiacStage.Kind => StageKind;
    JsonObject ICardiacStage.SaveSettings() => new() { ["preset"] = Preset.ToString() };
    byte[]? ICardiacStage.SaveWeights() => null;

    internal static AugmentationTransformer Load(JsonObject settings) =>
        Enum.TryParse((string?)settings["preset"], out AugmentationPreset preset) && Enum.IsDefined(preset)
            ? new AugmentationTransformer(preset)
            : throw new System.Text.Json.JsonException($"unknown augmentation preset '{settings["preset"]}'");

    private protected override RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var slices = ColumnAccess.Require(input, CardiacColumnNames.Slices, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Single), "a vector of Single (put Preprocess first)", nameof(AugmentationTransformer));
        var annotated = new MappedColumn(CardiacColumnNames.Slices, slices.Type,
            ColumnAccess.TextAnnotations(slices.Annotations, (CardiacColumnNames.AugmentationAnnotation, Preset.ToString())), CopyOf: CardiacColumnNames.Slices);
        return new RowMapping(input, [annotated], [], _ => () => []);
    }
}
