using Microsoft.ML;
using Microsoft.ML.Data;
using MLCardiac.Data;

namespace MLCardiac.ML;

/// <summary>
/// A dataset's records as an <see cref="IDataView"/>: one row per subject × frame (ED, ES) with its files and
/// metadata, never the volumes — <see cref="NiftiLoaderTransformer"/> reads those when a cursor asks.
/// </summary>
internal sealed class CaseDataView : IDataView
{
    internal static readonly DataViewSchema CaseSchema = BuildSchema();

    public CaseDataView(IReadOnlyList<CaseRecord> records) => Records = records;

    public IReadOnlyList<CaseRecord> Records { get; }
    public bool CanShuffle => false;
    public DataViewSchema Schema => CaseSchema;
    public long? GetRowCount() => Records.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private static DataViewSchema BuildSchema()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumn(CardiacColumnNames.Subject, TextDataViewType.Instance);
        b.AddColumn(CardiacColumnNames.Vendor, TextDataViewType.Instance);
        b.AddColumn(CardiacColumnNames.Centre, TextDataViewType.Instance);
        b.AddColumn(CardiacColumnNames.Frame, TextDataViewType.Instance);
        b.AddColumn(CardiacColumnNames.ImagePath, TextDataViewType.Instance);
        b.AddColumn(CardiacColumnNames.ImageFrame, NumberDataViewType.Int32);
        b.AddColumn(CardiacColumnNames.LabelPath, TextDataViewType.Instance);
        b.AddColumn(CardiacColumnNames.LabelFrame, NumberDataViewType.Int32);
        b.AddColumn(CardiacColumnNames.Labeled, BooleanDataViewType.Instance);
        b.AddColumn(CardiacColumnNames.LabelMap, new VectorDataViewType(NumberDataViewType.Byte));
        b.AddColumn(CardiacColumnNames.Dataset, TextDataViewType.Instance);
        b.AddColumn(CardiacColumnNames.Source, TextDataViewType.Instance);
        return b.ToSchema();
    }

    private sealed class Cursor(CaseDataView view) : DataViewRowCursor
    {
        private long _position = -1;
        private CaseRecord Current => _position >= 0 && _position < view.Records.Count
            ? view.Records[(int)_position]
            : throw new InvalidOperationException("The cursor is not on a row.");

        public override long Position => _position;
        public override long Batch => 0;
        public override DataViewSchema Schema => view.Schema;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override bool MoveNext() => ++_position < view.Records.Count;
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Name switch
            {
                CardiacColumnNames.Subject => TextGetter(r => r.Subject),
                CardiacColumnNames.Vendor => TextGetter(r => r.Vendor),
                CardiacColumnNames.Centre => TextGetter(r => r.Centre ?? ""),
                CardiacColumnNames.Frame => TextGetter(r => r.Role.ToString()),
                CardiacColumnNames.ImagePath => TextGetter(r => r.ImagePath),
                CardiacColumnNames.ImageFrame => (ValueGetter<int>)((ref int v) => v = Current.ImageFrame),
                CardiacColumnNames.LabelPath => TextGetter(r => r.LabelPath ?? ""),
                CardiacColumnNames.LabelFrame => (ValueGetter<int>)((ref int v) => v = Current.LabelFrame),
                CardiacColumnNames.Labeled => (ValueGetter<bool>)((ref bool v) => v = Current.IsLabeled),
                CardiacColumnNames.LabelMap => (ValueGetter<VBuffer<byte>>)((ref VBuffer<byte> v) =>
                {
                    var map = Current.LabelMap ?? [];
                    var editor = VBufferEditor.Create(ref v, map.Count);
                    for (int i = 0; i < map.Count; i++) editor.Values[i] = map[i];
                    v = editor.Commit();
                }),
                CardiacColumnNames.Dataset => TextGetter(r => r.Dataset),
                CardiacColumnNames.Source => TextGetter(r => r.Source ?? ""),
                _ => throw new ArgumentOutOfRangeException(nameof(column), $"No column '{column.Name}' in the case view."),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; a getter of {typeof(TValue).Name} was asked for.");
        }

        private ValueGetter<ReadOnlyMemory<char>> TextGetter(Func<CaseRecord, string> pick) => (ref ReadOnlyMemory<char> v) => v = pick(Current).AsMemory();
    }

    /// <summary>
    /// The records behind <paramref name="data"/>: the list itself for a case view, else rebuilt from the case columns
    /// (Subject, Vendor and ImagePath required; the rest optional) — reading text columns only, never volumes.
    /// </summary>
    public static IReadOnlyList<CaseRecord> RecordsOf(IDataView data, string who)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data is CaseDataView view) return view.Records;
        foreach (string name in new[] { CardiacColumnNames.Subject, CardiacColumnNames.Vendor, CardiacColumnNames.ImagePath })
            ColumnAccess.Require(data.Schema, name, ColumnAccess.IsText, "text", who);
        var names = new[]
        {
            CardiacColumnNames.Subject, CardiacColumnNames.Vendor, CardiacColumnNames.Centre, CardiacColumnNames.Frame, CardiacColumnNames.ImagePath,
            CardiacColumnNames.ImageFrame, CardiacColumnNames.LabelPath, CardiacColumnNames.LabelFrame, CardiacColumnNames.LabelMap, CardiacColumnNames.Dataset,
            CardiacColumnNames.Source,
        };
        var records = new List<CaseRecord>();
        using var cursor = data.GetRowCursor(names.Select(n => data.Schema.GetColumnOrNull(n)).OfType<DataViewSchema.Column>());
        var read = Reader(cursor);
        while (cursor.MoveNext()) records.Add(read());
        return records;
    }

    /// <summary>A function reading the current row of <paramref name="row"/> as a <see cref="CaseRecord"/>.</summary>
    public static Func<CaseRecord> Reader(DataViewRow row)
    {
        var subject = ColumnAccess.OptionalText(row, CardiacColumnNames.Subject);
        var vendor = ColumnAccess.OptionalText(row, CardiacColumnNames.Vendor);
        var centre = ColumnAccess.OptionalText(row, CardiacColumnNames.Centre);
        var frame = ColumnAccess.OptionalText(row, CardiacColumnNames.Frame, "ED");
        var image = ColumnAccess.OptionalText(row, CardiacColumnNames.ImagePath);
        var imageFrame = ColumnAccess.OptionalInt32(row, CardiacColumnNames.ImageFrame);
        var label = ColumnAccess.OptionalText(row, CardiacColumnNames.LabelPath);
        var labelFrame = ColumnAccess.OptionalInt32(row, CardiacColumnNames.LabelFrame);
        var map = ColumnAccess.OptionalVector<byte>(row, CardiacColumnNames.LabelMap);
        var dataset = ColumnAccess.OptionalText(row, CardiacColumnNames.Dataset);
        var source = ColumnAccess.OptionalText(row, CardiacColumnNames.Source);
        return () =>
        {
            string l = label(), c = centre(), so = source();
            byte[] m = map();
            return new CaseRecord(subject(), vendor(), c.Length == 0 ? null : c, Enum.TryParse(frame(), out FrameRole role) ? role : FrameRole.ED,
                image(), imageFrame(), l.Length == 0 ? null : l, labelFrame(), dataset())
            { LabelMap = m.Length == 0 ? null : m, Source = so.Length == 0 ? null : so };
        };
    }
}
