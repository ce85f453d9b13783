using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLCardiac.ML;

/// <summary>
/// What every MLCardiac transformer shares: it maps row to row through a <see cref="RowMapping"/> bound to the input
/// schema (so it works in a <c>PredictionEngine</c>), applies that mapping lazily to a data view (nothing is computed
/// until a cursor asks for a column), and is saved only through <see cref="CardiacSegmentationCatalog.SaveModel"/>.
/// Each stage supplies <see cref="Bind"/>: the columns it adds or re-declares and how to compute them.
/// </summary>
public abstract class CardiacTransformer : ITransformer
{
    private protected CardiacTransformer()
    {
    }

    /// <summary>True: the stage maps row to row (usable in a <c>PredictionEngine</c>).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema with this stage's columns added or re-declared.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>The row mapper (for <c>PredictionEngine</c>).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Bind(inputSchema);

    /// <summary>The input rows with this stage's columns, computed lazily when a cursor asks for them.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, Bind(input.Schema));
    }

    /// <summary>Not supported: ML.NET's persistence cannot restore our weights; save with <see cref="CardiacSegmentationCatalog.SaveModel"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw CardiacModelFile.NotSavableByMlNet(GetType().Name);

    /// <summary>The stage's mapping for <paramref name="input"/>; throws naming the column when the input lacks one it needs.</summary>
    private protected abstract RowMapping Bind(DataViewSchema input);
}
