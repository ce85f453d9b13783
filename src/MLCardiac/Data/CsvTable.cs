using System.Text;

namespace MLCardiac.Data;

/// <summary>
/// A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF or LF) for dataset metadata files,
/// with columns looked up by header name.
/// </summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string path, string[] header, List<string[]> rows)
    {
        Path = path;
        Header = header;
        Rows = rows;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < header.Length; i++) _columns.TryAdd(header[i].Trim(), i);
    }

    /// <summary>The file read.</summary>
    public string Path { get; }
    /// <summary>Column names of the first line.</summary>
    public IReadOnlyList<string> Header { get; }
    /// <summary>Data rows (cells as read, untrimmed).</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>True when every named column exists (case-insensitive).</summary>
    public bool HasColumns(params string[] names) => names.All(_columns.ContainsKey);

    /// <summary>The trimmed cell of <paramref name="row"/> in column <paramref name="column"/>, or null when absent or empty.</summary>
    public string? Cell(string[] row, string column)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!_columns.TryGetValue(column, out int i) || i >= row.Length) return null;
        string v = row[i].Trim();
        return v.Length == 0 ? null : v;
    }

    /// <summary>Reads <paramref name="path"/>; throws <see cref="MLCardiacException"/> naming the file and line on malformed input.</summary>
    public static CsvTable Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new MLCardiacException($"{path}: cannot read ({e.Message}).", e); }
        var rows = Parse(text, path);
        if (rows.Count == 0) throw new MLCardiacException($"{path}: empty CSV file.");
        string[] header = rows[0];
        if (header.Length > 0) header[0] = header[0].TrimStart('\uFEFF');
        return new CsvTable(path, header, rows.Skip(1).Where(r => r.Any(c => c.Length > 0)).ToList());
    }

    private static List<string[]> Parse(string text, string path)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') line++;
                    cell.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when cell.Length == 0: quoted = true; break;
                case ',': row.Add(cell.ToString()); cell.Clear(); break;
                case '\r': break;
                case '\n':
                    row.Add(cell.ToString()); cell.Clear();
                    rows.Add(row.ToArray()); row.Clear();
                    line++;
                    break;
                default: cell.Append(c); break;
            }
        }
        if (quoted) throw new MLCardiacException($"{path}: line {line}: a quoted field is not closed.");
        if (cell.Length > 0 || row.Count > 0) { row.Add(cell.ToString()); rows.Add(row.ToArray()); }
        return rows;
    }
}
