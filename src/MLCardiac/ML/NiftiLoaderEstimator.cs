using Microsoft.ML;

namespace MLCardiac.ML;

/// <summary>Estimator of <see cref="NiftiLoaderTransformer"/>: nothing to learn.</summary>
/// <remarks>
/// <list type="table">
/// <item><term>Trains?</term><description>No.</description></item>
/// <item><term>Input columns</term><description><c>ImagePath</c> (text); optional <c>ImageFrame</c> (Int32), <c>LabelPath</c> (text), <c>LabelFrame</c> (Int32), <c>LabelMap</c> (Byte vector).</description></item>
/// <item><term>Output columns</term><description><c>Image</c>, <c>ImageShape</c>, <c>SpacingMm</c>, <c>Label</c> (see <see cref="CardiacColumnNames"/>).</description></item>
/// </list>
/// </remarks>
public sealed class NiftiLoaderEstimator : IEstimator<NiftiLoaderTransformer>
{
    internal NiftiLoaderEstimator() { }

    /// <summary>Returns the loader (nothing is read until a cursor asks).</summary>
    public NiftiLoaderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ = new NiftiLoaderTransformer().GetOutputSchema(input.Schema);
        return new NiftiLoaderTransformer();
    }

    /// <summary>The input shape with the loader's columns added; throws naming a missing or mistyped column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnAccess.Require(inputSchema, CardiacColumnNames.ImagePath, c => ColumnAccess.IsScalarOf(c, Microsoft.ML.Data.TextDataViewType.Instance), "text", nameof(NiftiLoaderEstimator));
        return ColumnAccess.Extend(inputSchema, NiftiLoaderTransformer.Columns);
    }
}
