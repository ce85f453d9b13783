using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Augmentation;

namespace MLCardiac.ML;

/// <summary>
/// Augmentation that acts only while a trainer fits: the data pass through unchanged (at fit time and at inference),
/// and the augmentation options ride on the <c>Slices</c> column as an annotation. The segmentation trainers read it and augment
/// every batch afresh inside their training loop (<see cref="Training.SegmentationTrainer"/>: a new random draw per
/// step, seeded by (seed, epoch, step)) — the on-line augmentation that a static transform of the data could not give.
/// </summary>
public sealed class AugmentationTransformer : CardiacTransformer, ICardiacStage
{
    internal const string StageKind = "Augment";

    internal AugmentationTransformer(AugmentationOptions options) => Options = options;

    /// <summary>The augmentation the trainers apply.</summary>
    public AugmentationOptions Options { get; }

    string ICardiacStage.Kind => StageKind;
    JsonObject ICardiacStage.SaveSettings() => System.Text.Json.JsonSerializer.SerializeToNode(Options)!.AsObject();
    byte[]? ICardiacStage.SaveWeights() => null;

    internal static AugmentationTransformer Load(JsonObject settings)
    {
        // Files written before the options had a strength name the preset alone: {"preset": "Standard"}.
        var options = settings["preset"] is { } preset ? new AugmentationOptions { Name = ((string?)preset ?? "").ToLowerInvariant() }
            : System.Text.Json.JsonSerializer.Deserialize<AugmentationOptions>(settings) ?? throw new System.Text.Json.JsonException("no augmentation settings");
        try { options.Validate(); }
        catch (ArgumentException e) { throw new System.Text.Json.JsonException(e.Message); }
        return new AugmentationTransformer(options);
    }

    private protected override RowMapping Bind(DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var slices = ColumnAccess.Require(input, CardiacColumnNames.Slices, t => ColumnAccess.IsVectorOf(t, NumberDataViewType.Single), "a vector of Single (put Preprocess first)", nameof(AugmentationTransformer));
        var annotated = new MappedColumn(CardiacColumnNames.Slices, slices.Type,
            ColumnAccess.TextAnnotations(slices.Annotations, (CardiacColumnNames.AugmentationAnnotation, System.Text.Json.JsonSerializer.Serialize(Options))), CopyOf: CardiacColumnNames.Slices);
        return new RowMapping(input, [annotated], [], _ => () => []);
    }
}
