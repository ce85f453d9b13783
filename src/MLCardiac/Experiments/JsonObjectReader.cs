using System.Text.Json;

namespace MLCardiac.Experiments;

/// <summary>
/// Reads one JSON object of an experiment file with the checks the user needs: every key known, every value of
/// the right type, and errors that name the file and the JSON path (<c>$.arms[2].model.depth</c>).
/// </summary>
internal readonly struct JsonObjectReader
{
    private readonly JsonElement _element;

    private JsonObjectReader(JsonElement element, string file, string path, bool partial)
    {
        _element = element;
        File = file;
        Path = path;
        Partial = partial;
    }

    /// <summary>File the object came from (for messages).</summary>
    public string File { get; }

    /// <summary>JSON path of the object.</summary>
    public string Path { get; }

    /// <summary>True when required keys may be missing (a profile's partial override).</summary>
    public bool Partial { get; }

    /// <summary>Checks that <paramref name="element"/> is an object whose keys are all in <paramref name="keys"/>.</summary>
    public static JsonObjectReader Open(JsonElement element, string file, string path, bool partial, IReadOnlyCollection<string> keys)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Error(file, path, $"must be an object (was {Describe(element)}).");
        foreach (JsonProperty p in element.EnumerateObject())
            if (!keys.Contains(p.Name))
            {
                string? close = keys.OrderBy(k => Distance(k, p.Name)).FirstOrDefault();
                string hint = close is not null && Distance(close, p.Name) <= 3 ? $" Did you mean \"{close}\"?" : "";
                throw Error(file, $"{path}.{p.Name}", $"unknown key.{hint} Known keys here: {string.Join(", ", keys)}.");
            }
        return new JsonObjectReader(element, file, path, partial);
    }

    /// <summary>The exception for a problem at <paramref name="path"/> of <paramref name="file"/>.</summary>
    public static MLCardiacException Error(string file, string path, string message) => new($"{file}: {path}: {message}");

    /// <summary>The exception for a problem at key <paramref name="key"/> of this object.</summary>
    public MLCardiacException Error(string key, string message) => Error(File, $"{Path}.{key}", message);

    /// <summary>True when the key is present (and not null).</summary>
    public bool Has(string key) => _element.TryGetProperty(key, out JsonElement v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>The raw element of <paramref name="key"/>, when present.</summary>
    public JsonElement? Raw(string key) => Has(key) ? _element.GetProperty(key) : null;

    /// <summary>A string value; <paramref name="fallback"/> when absent (an error when absent and required).</summary>
    public string String(string key, string fallback, bool required = false, IReadOnlyCollection<string>? allowed = null)
    {
        if (!Has(key)) return Missing(key, required, fallback);
        JsonElement v = _element.GetProperty(key);
        if (v.ValueKind != JsonValueKind.String) throw Error(key, $"must be a string (was {Describe(v)}).");
        string s = v.GetString()!;
        if (allowed is not null && !allowed.Contains(s))
            throw Error(key, $"\"{s}\" is not one of {string.Join(", ", allowed)}.");
        return s;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue, bool required = false)
    {
        if (!Has(key)) return Missing(key, required, fallback);
        JsonElement v = _element.GetProperty(key);
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i)) throw Error(key, $"must be an integer (was {Describe(v)}).");
        if (i < min || i > max) throw Error(key, $"{i} is out of range [{min}, {max}].");
        return i;
    }

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public double Number(string key, double fallback, double min = double.MinValue, double max = double.MaxValue, bool required = false)
    {
        if (!Has(key)) return Missing(key, required, fallback);
        JsonElement v = _element.GetProperty(key);
        if (v.ValueKind != JsonValueKind.Number) throw Error(key, $"must be a number (was {Describe(v)}).");
        double d = v.GetDouble();
        if (d < min || d > max) throw Error(key, $"{d} is out of range [{min}, {max}].");
        return d;
    }

    /// <summary>A boolean.</summary>
    public bool Bool(string key, bool fallback)
    {
        if (!Has(key)) return fallback;
        JsonElement v = _element.GetProperty(key);
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(key, $"must be true or false (was {Describe(v)})."),
        };
    }

    /// <summary>An array of strings (each optionally from <paramref name="allowed"/>).</summary>
    public IReadOnlyList<string> Strings(string key, IReadOnlyList<string> fallback, bool required = false, IReadOnlyCollection<string>? allowed = null)
    {
        if (!Has(key)) return Missing(key, required, fallback);
        JsonElement v = _element.GetProperty(key);
        if (v.ValueKind != JsonValueKind.Array) throw Error(key, $"must be an array of strings (was {Describe(v)}).");
        var list = new List<string>();
        int i = 0;
        foreach (JsonElement e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String) throw Error(File, $"{Path}.{key}[{i}]", $"must be a string (was {Describe(e)}).");
            string s = e.GetString()!;
            if (allowed is not null && !allowed.Contains(s)) throw Error(File, $"{Path}.{key}[{i}]", $"\"{s}\" is not one of {string.Join(", ", allowed)}.");
            list.Add(s);
            i++;
        }
        return list;
    }

    /// <summary>An array of integers.</summary>
    public IReadOnlyList<int> Ints(string key, IReadOnlyList<int> fallback, int min = int.MinValue)
    {
        if (!Has(key)) return fallback;
        JsonElement v = _element.GetProperty(key);
        if (v.ValueKind != JsonValueKind.Array) throw Error(key, $"must be an array of integers (was {Describe(v)}).");
        var list = new List<int>();
        int i = 0;
        foreach (JsonElement e in v.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int n)) throw Error(File, $"{Path}.{key}[{i}]", $"must be an integer (was {Describe(e)}).");
            if (n < min) throw Error(File, $"{Path}.{key}[{i}]", $"{n} must be at least {min}.");
            list.Add(n);
            i++;
        }
        return list;
    }

    /// <summary>A nested object, or null when absent.</summary>
    public JsonObjectReader? Object(string key, IReadOnlyCollection<string> keys, bool required = false)
    {
        if (!Has(key))
        {
            if (required && !Partial) throw Error(key, "is required.");
            return null;
        }
        return Open(_element.GetProperty(key), File, $"{Path}.{key}", Partial, keys);
    }

    /// <summary>The elements of an array of objects.</summary>
    public IReadOnlyList<JsonObjectReader> Objects(string key, IReadOnlyCollection<string> keys, bool required = false)
    {
        if (!Has(key))
        {
            if (required && !Partial) throw Error(key, "is required.");
            return [];
        }
        JsonElement v = _element.GetProperty(key);
        if (v.ValueKind != JsonValueKind.Array) throw Error(key, $"must be an array of objects (was {Describe(v)}).");
        var list = new List<JsonObjectReader>();
        int i = 0;
        foreach (JsonElement e in v.EnumerateArray())
            list.Add(Open(e, File, $"{Path}.{key}[{i++}]", Partial, keys));
        return list;
    }

    private T Missing<T>(string key, bool required, T fallback) =>
        required && !Partial ? throw Error(key, "is required.") : fallback;

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{e.GetString()}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {e.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
