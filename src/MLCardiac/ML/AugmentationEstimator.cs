using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Augmentation;

namespace MLCardiac.ML;

/// <summary>Estimator of <see cref="AugmentationTransformer"/>: nothing to learn.</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Trains?</term><description>No.</description></item>
/// <item><term>Input columns</term><description><c>Slices</c> (Single vector).</description></item>
/// <item><term>Output columns</term><description><c>Slices</c>, values unchanged, annotated with the augmentation options.</description></item>
/// </list>
/// </remarks>
public sealed class AugmentationEstimator : IEstimator<AugmentationTransformer>
{
    private readonly AugmentationOptions _options;

    internal AugmentationEstimator(AugmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Returns the (pass-through) augmentation transformer.</summary>
    public AugmentationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new AugmentationTransformer(_options);
        _ = transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input shape (the <c>Slices</c> column is re-declared with the annotation).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnAccess.Require(inputSchema, CardiacColumnNames.Slices, c => ColumnAccess.IsVectorOf(c, NumberDataViewType.Single), "a vector of Single (put Preprocess first)", nameof(AugmentationEstimator));
        return ColumnAccess.Extend(inputSchema, [new MappedColumn(CardiacColumnNames.Slices, new VectorDataViewType(NumberDataViewType.Single),
            ColumnAccess.TextAnnotations(null, (CardiacColumnNames.AugmentationAnnotation, System.Text.Json.JsonSerializer.Serialize(_options))))]);
    }
}
