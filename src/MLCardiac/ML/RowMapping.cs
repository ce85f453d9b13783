using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLCardiac.ML;

/// <summary>One column a transformer adds: its name, type, annotations, and — for a pass-through — the input column it copies.</summary>
internal sealed record MappedColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null, string? CopyOf = null);

/// <summary>
/// The row-to-row mapping behind each of our transformers, bound to an input schema: the output schema is the input's
/// columns followed by the added ones; an added column's value is computed lazily — once per input row, when a
/// getter first asks — by the function the transformer supplies. Implements <see cref="IRowToRowMapper"/> so that
/// <c>TransformerChain</c> and <c>PredictionEngine</c> can compose it.
/// </summary>
internal sealed class RowMapping : IRowToRowMapper
{
    private readonly IReadOnlyList<MappedColumn> _added;
    private readonly string[] _dependencies;
    private readonly Func<DataViewRow, Func<object?>[]> _bind;

    /// <param name="input">Input schema (already validated by the caller).</param>
    /// <param name="added">Columns added, in order.</param>
    /// <param name="dependencies">Input columns the computed columns read.</param>
    /// <param name="bind">Given an input row, returns the function computing every computed column's value for its current position.</param>
    public RowMapping(DataViewSchema input, IReadOnlyList<MappedColumn> added, IEnumerable<string> dependencies, Func<DataViewRow, Func<object?[]>> bind)
        : this(input, added, dependencies, AllAtOnce(added.Count, bind))
    {
    }

    /// <param name="input">Input schema (already validated by the caller).</param>
    /// <param name="added">Columns added, in order.</param>
    /// <param name="dependencies">Input columns the computed columns read.</param>
    /// <param name="bindColumns">
    /// Given an input row, one function per added column computing that column's value for the row's current position —
    /// so that asking for one column (say the label) does not compute another (say the image).
    /// </param>
    public RowMapping(DataViewSchema input, IReadOnlyList<MappedColumn> added, IEnumerable<string> dependencies, Func<DataViewRow, Func<object?>[]> bindColumns)
    {
        _bind = bindColumns;
        InputSchema = input;
        _added = added;
        _dependencies = dependencies.Concat(added.Where(a => a.CopyOf is not null).Select(a => a.CopyOf!)).Distinct().ToArray();
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var c in added) builder.AddColumn(c.Name, c.Type, c.Annotations);
        OutputSchema = builder.ToSchema();
    }

    public DataViewSchema InputSchema { get; }
    public DataViewSchema OutputSchema { get; }
    internal int InputCount => InputSchema.Count;
    internal IReadOnlyList<MappedColumn> Added => _added;

    /// <summary>Input columns needed to produce <paramref name="dependingColumns"/> of the output.</summary>
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var result = new HashSet<int>();
        foreach (var c in dependingColumns)
        {
            if (c.Index < InputCount) result.Add(c.Index);
            else
            {
                foreach (string d in _dependencies)
                    if (InputSchema.GetColumnOrNull(d) is { } col) result.Add(col.Index);
            }
        }
        return result.Order().Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new MappedRow(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    internal Func<object?>[] Bind(DataViewRow input) => _bind(input);

    /// <summary>Per-column functions over one function that computes every column at once (once per row position).</summary>
    private static Func<DataViewRow, Func<object?>[]> AllAtOnce(int count, Func<DataViewRow, Func<object?[]>> bind) => row =>
    {
        Func<object?[]> compute = bind(row);
        object?[]? values = null;
        long position = -1;
        object?[] Values()
        {
            if (values is null || position != row.Position) (values, position) = (compute(), row.Position);
            return values;
        }
        return [.. Enumerable.Range(0, count).Select(k => (Func<object?>)(() => Values()[k]))];
    };

    /// <summary>The input columns a cursor must activate for the output columns <paramref name="needed"/>.</summary>
    internal IEnumerable<DataViewSchema.Column> InputColumnsFor(IEnumerable<DataViewSchema.Column> needed) => GetDependencies(needed);
}

/// <summary>A row of a <see cref="RowMapping"/>'s output over an input row.</summary>
internal class MappedRow : DataViewRow
{
    private readonly RowMapping _mapping;
    private readonly HashSet<int> _active;
    private Func<object?>[]? _compute;
    private object?[]? _values;
    private long[]? _positions;

    public MappedRow(RowMapping mapping, DataViewRow input, HashSet<int> active)
    {
        _mapping = mapping;
        Input = input;
        _active = active;
    }

    protected DataViewRow Input { get; }
    public override long Batch => Input.Batch;
    public override long Position => Input.Position;
    public override DataViewSchema Schema => _mapping.OutputSchema;
    public override ValueGetter<DataViewRowId> GetIdGetter() => Input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < _mapping.InputCount ? Input.IsColumnActive(Input.Schema[column.Index]) : _active.Contains(column.Index);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _mapping.InputCount) return Input.GetGetter<TValue>(Input.Schema[column.Index]);
        int k = column.Index - _mapping.InputCount;
        MappedColumn spec = _mapping.Added[k];
        if (typeof(TValue) != spec.Type.RawType)
            throw new InvalidOperationException($"Column '{spec.Name}' holds {spec.Type} ({spec.Type.RawType.Name}); a getter of {typeof(TValue).Name} was asked for.");
        if (spec.CopyOf is not null) return Input.GetGetter<TValue>(Input.Schema[spec.CopyOf]);
        if (spec.Type is VectorDataViewType vector)
        {
            var method = typeof(MappedRow).GetMethod(nameof(VectorGetter), BindingFlags.NonPublic | BindingFlags.Instance)!.MakeGenericMethod(vector.ItemType.RawType);
            return (ValueGetter<TValue>)method.Invoke(this, [k])!;
        }
        if (spec.Type is TextDataViewType)
        {
            ValueGetter<ReadOnlyMemory<char>> text = (ref ReadOnlyMemory<char> value) => value = ((string?)Value(k) ?? "").AsMemory();
            return (ValueGetter<TValue>)(Delegate)text;
        }
        return (ref TValue value) => value = (TValue)Value(k)!;
    }

    private ValueGetter<VBuffer<T>> VectorGetter<T>(int k) => (ref VBuffer<T> value) =>
    {
        var source = (T[])Value(k)!;
        var editor = VBufferEditor.Create(ref value, source.Length);
        source.CopyTo(editor.Values);
        value = editor.Commit();
    };

    /// <summary>Computed column <paramref name="k"/> of the current input row, computed on first use per position.</summary>
    private object? Value(int k)
    {
        _compute ??= _mapping.Bind(Input);
        _values ??= new object?[_compute.Length];
        _positions ??= Enumerable.Repeat(-1L, _compute.Length).ToArray();
        if (_positions[k] != Input.Position)
        {
            _values[k] = _compute[k]();
            _positions[k] = Input.Position;
        }
        return _values[k];
    }
}

/// <summary>A cursor over a <see cref="RowMapping"/>'s output.</summary>
internal sealed class MappedCursor : DataViewRowCursor
{
    private readonly MappedRow _row;
    private readonly DataViewRowCursor _input;

    public MappedCursor(RowMapping mapping, DataViewRowCursor input, HashSet<int> active)
    {
        _input = input;
        _row = new MappedRow(mapping, input, active);
    }

    public override long Batch => _row.Batch;
    public override long Position => _row.Position;
    public override DataViewSchema Schema => _row.Schema;
    public override ValueGetter<DataViewRowId> GetIdGetter() => _row.GetIdGetter();
    public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);
    public override bool MoveNext() => _input.MoveNext();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _input.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>The lazy output of a transformer: input rows with the mapped columns added, computed only when a cursor asks.</summary>
internal sealed class MappedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly RowMapping _mapping;

    public MappedDataView(IDataView input, RowMapping mapping)
    {
        _input = input;
        _mapping = mapping;
    }

    public bool CanShuffle => false;
    public DataViewSchema Schema => _mapping.OutputSchema;
    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var active = needed.Where(c => c.Index >= _mapping.InputCount).Select(c => c.Index).ToHashSet();
        var cursor = _input.GetRowCursor(_mapping.InputColumnsFor(needed), rand);
        return new MappedCursor(_mapping, cursor, active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
