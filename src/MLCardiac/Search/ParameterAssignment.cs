using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MLCardiac.Search;

/// <summary>
/// The values a trial runs with: parameter name → value (double, int, bool or string), inactive conditional
/// parameters absent. Immutable; its canonical JSON (keys sorted, numbers round-trip exact) identifies it.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "An assignment is the domain name (ML.NET AutoML calls it a Parameter).")]
public sealed class ParameterAssignment : IReadOnlyDictionary<string, object>, IEquatable<ParameterAssignment>
{
    private readonly SortedDictionary<string, object> _values;

    /// <summary>Creates an assignment from name/value pairs (values: double, int, bool or string).</summary>
    public ParameterAssignment(IEnumerable<KeyValuePair<string, object>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (k, v) in values) _values[k] = Normalize(v);
    }

    /// <summary>The empty assignment.</summary>
    public static ParameterAssignment Empty { get; } = new([]);

    /// <inheritdoc/>
    public object this[string key] => _values[key];
    /// <inheritdoc/>
    public IEnumerable<string> Keys => _values.Keys;
    /// <inheritdoc/>
    public IEnumerable<object> Values => _values.Values;
    /// <inheritdoc/>
    public int Count => _values.Count;
    /// <inheritdoc/>
    public bool ContainsKey(string key) => _values.ContainsKey(key);
    /// <inheritdoc/>
    public bool TryGetValue(string key, out object value) => _values.TryGetValue(key, out value!);
    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _values.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The value of <paramref name="name"/> as a double, or <paramref name="fallback"/> when absent.</summary>
    public double GetDouble(string name, double fallback) =>
        _values.TryGetValue(name, out object? v) ? v switch
        {
            double d => d,
            int i => i,
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
            _ => throw new MLCardiacException($"Parameter \"{name}\" is {SearchParameter.Format(v)}, not a number."),
        } : fallback;

    /// <summary>The value of <paramref name="name"/> as an integer, or <paramref name="fallback"/> when absent.</summary>
    public int GetInt(string name, int fallback)
    {
        if (!_values.ContainsKey(name)) return fallback;
        double d = GetDouble(name, fallback);
        if (d != Math.Round(d)) throw new MLCardiacException($"Parameter \"{name}\" is {SearchParameter.Format(d)}, not a whole number.");
        return checked((int)d);
    }

    /// <summary>The value of <paramref name="name"/> as a boolean, or <paramref name="fallback"/> when absent.</summary>
    public bool GetBool(string name, bool fallback) =>
        _values.TryGetValue(name, out object? v) ? v switch
        {
            bool b => b,
            string s when bool.TryParse(s, out bool b) => b,
            _ => throw new MLCardiacException($"Parameter \"{name}\" is {SearchParameter.Format(v)}, not true/false."),
        } : fallback;

    /// <summary>The value of <paramref name="name"/> as text, or <paramref name="fallback"/> when absent.</summary>
    public string GetString(string name, string fallback) =>
        _values.TryGetValue(name, out object? v) ? SearchParameter.Format(v) : fallback;

    /// <summary>Canonical JSON: keys sorted, numbers written so they read back bit-identical.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var (k, v) in _values)
            {
                w.WritePropertyName(k);
                switch (v)
                {
                    case double d: w.WriteNumberValue(d); break;
                    case int i: w.WriteNumberValue(i); break;
                    case bool b: w.WriteBooleanValue(b); break;
                    default: w.WriteStringValue((string)v); break;
                }
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Reads an assignment written by <see cref="ToJson"/>; with a <paramref name="space"/>, numbers of int
    /// parameters become ints and those of real ones doubles.
    /// </summary>
    /// <exception cref="MLCardiacException">The text is not a JSON object of plain values.</exception>
    public static ParameterAssignment FromJson(string json, SearchSpace? space = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new MLCardiacException("A parameter assignment must be a JSON object.");
            var values = new List<KeyValuePair<string, object>>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                SearchParameter? declared = space?.Find(p.Name);
                values.Add(new(p.Name, ReadValue(p.Value, declared?.Kind, p.Name)));
            }
            return new ParameterAssignment(values);
        }
        catch (JsonException e)
        {
            throw new MLCardiacException($"A parameter assignment is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads a plain JSON value (number, string, bool) as an assignment value.</summary>
    internal static object ReadValue(JsonElement e, ParameterKind? kind, string name) => e.ValueKind switch
    {
        JsonValueKind.Number when kind == ParameterKind.Integer && e.TryGetInt32(out int i) => i,
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new MLCardiacException($"Parameter \"{name}\": {e.ValueKind} is not a number, string or boolean."),
    };

    /// <summary>Equality of two values as the search sees them (numbers compare by value, strings ordinally).</summary>
    public static bool ValuesEqual(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (bool x, bool y) => x == y,
        (double or int, double or int) => Convert.ToDouble(a, CultureInfo.InvariantCulture) == Convert.ToDouble(b, CultureInfo.InvariantCulture),
        _ => false,
    };

    private static object Normalize(object value) => value switch
    {
        double or int or bool or string => value,
        float f => (double)f,
        long l => checked((int)l),
        null => throw new MLCardiacException("A parameter value cannot be null."),
        _ => throw new MLCardiacException($"A parameter value must be a number, string or boolean (was {value.GetType().Name})."),
    };

    /// <inheritdoc/>
    public bool Equals(ParameterAssignment? other) => other is not null && ToJson() == other.ToJson();
    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ParameterAssignment);
    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToJson());
    /// <inheritdoc/>
    public override string ToString() => string.Join(", ", _values.Select(kv => $"{kv.Key}={SearchParameter.Format(kv.Value)}"));
}
