using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLCardiac.ML;

/// <summary>Typed readers of a row's columns by name, and the checks that name a missing or mistyped column.</summary>
internal static class ColumnAccess
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the column when the schema lacks it or it has the wrong type.</summary>
    public static DataViewSchema.Column Require(DataViewSchema schema, string name, Func<DataViewType, bool> ok, string expected, string who)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{who} needs an input column '{name}' ({expected}); the input has [{string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}].");
        if (!ok(column.Type))
            throw new ArgumentOutOfRangeException(nameof(schema), $"{who}: column '{name}' must be {expected}, but is {column.Type}.");
        return column;
    }

    /// <summary>The same check on a <see cref="SchemaShape"/> (used by estimators' <c>GetOutputSchema</c>).</summary>
    public static void Require(SchemaShape shape, string name, Func<SchemaShape.Column, bool> ok, string expected, string who)
    {
        var found = shape.Where(c => c.Name == name).ToArray();
        if (found.Length == 0)
            throw new ArgumentOutOfRangeException(nameof(shape), $"{who} needs an input column '{name}' ({expected}); the input has [{string.Join(", ", shape.Select(c => c.Name))}].");
        if (!ok(found[^1]))
            throw new ArgumentOutOfRangeException(nameof(shape), $"{who}: column '{name}' must be {expected}, but is {Describe(found[^1])}.");
    }

    private static string Describe(SchemaShape.Column c) => c.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => c.ItemType.ToString(),
        SchemaShape.Column.VectorKind.Vector => $"Vector<{c.ItemType}> (fixed size)",
        _ => $"Vector<{c.ItemType}>",
    } + (c.IsKey ? " (key)" : "");

    public static bool IsText(DataViewType t) => t is TextDataViewType;
    public static bool IsVectorOf(DataViewType t, DataViewType item) => t is VectorDataViewType v && v.ItemType.Equals(item);
    public static bool IsVectorOf(SchemaShape.Column c, DataViewType item) => c.Kind != SchemaShape.Column.VectorKind.Scalar && c.ItemType.Equals(item) && !c.IsKey;
    public static bool IsScalarOf(SchemaShape.Column c, DataViewType item) => c.Kind == SchemaShape.Column.VectorKind.Scalar && c.ItemType.Equals(item) && !c.IsKey;

    /// <summary>The shape of <paramref name="input"/> with <paramref name="added"/> appended (replacing columns of the same name).</summary>
    public static SchemaShape Extend(SchemaShape input, IEnumerable<MappedColumn> added)
    {
        var builder = new DataViewSchema.Builder();
        var list = added.ToArray();
        foreach (var c in list) builder.AddColumn(c.Name, c.Type, c.Annotations);
        var names = list.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(ShapeOf(builder.ToSchema())));
    }

    /// <summary>
    /// <c>SchemaShape.Create(DataViewSchema)</c>. ML.NET 5 keeps it — and the constructor of <see cref="SchemaShape.Column"/> —
    /// internal to its own assemblies, so an estimator outside Microsoft cannot describe a new column's shape through the
    /// public API; this one reflective call is the only use of ML.NET internals in MLCardiac (tested by the EstimatorChain
    /// tests, which fail loudly if a future ML.NET renames it).
    /// </summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => CreateShape.Value(schema);

    private static readonly Lazy<Func<DataViewSchema, SchemaShape>> CreateShape = new(() =>
    {
        var method = typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, [typeof(DataViewSchema)])
            ?? throw new MLCardiacException($"This ML.NET ({typeof(SchemaShape).Assembly.GetName().Version}) has no SchemaShape.Create(DataViewSchema); the cardiac estimators were built against ML.NET 5.0.");
        return method.CreateDelegate<Func<DataViewSchema, SchemaShape>>();
    });

    public static Func<string> Text(DataViewRow row, string name)
    {
        var getter = row.GetGetter<ReadOnlyMemory<char>>(row.Schema[name]);
        ReadOnlyMemory<char> value = default;
        return () => { getter(ref value); return value.ToString(); };
    }

    public static Func<int> Int32(DataViewRow row, string name)
    {
        var getter = row.GetGetter<int>(row.Schema[name]);
        int value = 0;
        return () => { getter(ref value); return value; };
    }

    public static Func<T[]> Vector<T>(DataViewRow row, string name)
    {
        var getter = row.GetGetter<VBuffer<T>>(row.Schema[name]);
        VBuffer<T> value = default;
        return () => { getter(ref value); return value.DenseValues().ToArray(); };
    }

    /// <summary>A text reader when the column exists, else a reader of <paramref name="fallback"/>.</summary>
    public static Func<string> OptionalText(DataViewRow row, string name, string fallback = "") =>
        row.Schema.GetColumnOrNull(name) is { } c && c.Type is TextDataViewType ? Text(row, name) : () => fallback;

    public static Func<int> OptionalInt32(DataViewRow row, string name, int fallback = 0) =>
        row.Schema.GetColumnOrNull(name) is { } c && c.Type.Equals(NumberDataViewType.Int32) ? Int32(row, name) : () => fallback;

    public static Func<T[]> OptionalVector<T>(DataViewRow row, string name) =>
        row.Schema.GetColumnOrNull(name) is { } c && c.Type is VectorDataViewType v && v.ItemType.RawType == typeof(T) ? Vector<T>(row, name) : () => [];

    /// <summary>Reads a text annotation of a column, or null.</summary>
    public static string? TextAnnotation(DataViewSchema.Column column, string name)
    {
        if (column.Annotations.Schema.GetColumnOrNull(name) is not { } a || a.Type is not TextDataViewType) return null;
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue(name, ref value);
        return value.ToString();
    }

    /// <summary>Annotations holding text values, merged over <paramref name="existing"/>.</summary>
    public static DataViewSchema.Annotations TextAnnotations(DataViewSchema.Annotations? existing, params (string Name, string Value)[] values)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var names = values.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        if (existing is not null) builder.Add(existing, n => !names.Contains(n));
        foreach (var (name, value) in values)
        {
            string v = value;
            builder.Add(name, TextDataViewType.Instance, (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = v.AsMemory()));
        }
        return builder.ToAnnotations();
    }
}
