using Microsoft.ML;
using MLCardiac.Preprocessing;

namespace MLCardiac.ML;

/// <summary>Estimator of <see cref="SlicePreprocessingTransformer"/>: nothing to learn (intensity statistics are per volume).</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Trains?</term><description>No.</description></item>
/// <item><term>Input columns</term><description><c>Image</c>, <c>ImageShape</c>, <c>SpacingMm</c>; optional <c>Label</c>.</description></item>
/// <item><term>Output columns</term><description><c>Slices</c> (Single vector [Z, Size, Size]) carrying the settings as an annotation, <c>LabelSlices</c> (Byte vector [Z, Size, Size]).</description></item>
/// </list>
/// </remarks>
public sealed class SlicePreprocessingEstimator : IEstimator<SlicePreprocessingTransformer>
{
    private readonly PreprocessingOptions _options;
    private readonly PreparedSliceCache? _cache;

    internal SlicePreprocessingEstimator(PreprocessingOptions options, PreparedSliceCache? cache)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _cache = cache;
    }

    /// <summary>Returns the preprocessing transformer.</summary>
    public SlicePreprocessingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new SlicePreprocessingTransformer(_options, _cache);
        _ = transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input shape with <c>Slices</c> and <c>LabelSlices</c> added; throws naming a missing or mistyped column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        VolumeColumns.Require(inputSchema, nameof(SlicePreprocessingEstimator));
        return ColumnAccess.Extend(inputSchema, SlicePreprocessingTransformer.ColumnsFor(_options));
    }
}
