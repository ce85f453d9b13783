using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML.SearchSpace;

namespace MLCardiac.Search;

/// <summary>
/// The parameters a search varies, in declaration order (a conditional parameter follows its parent).
/// Declared in a pipeline file's <c>search.parameters</c> object (<see cref="FromJson"/>) or on an options class
/// with ML.NET's <c>Microsoft.ML.SearchSpace</c> attributes <c>[Range]</c>, <c>[Choice]</c>, <c>[BooleanChoice]</c>
/// plus our <see cref="ActiveWhenAttribute"/> and <see cref="LowCostAttribute"/> (<see cref="FromOptions{T}"/>).
/// </summary>
public sealed class SearchSpace
{
    private readonly SearchParameter[] _parameters;

    /// <summary>Creates a space; checks every declaration and that each condition names an earlier parameter.</summary>
    /// <exception cref="MLCardiacException">A declaration is wrong, a name repeats, or a condition is dangling.</exception>
    public SearchSpace(IEnumerable<SearchParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        var seen = new Dictionary<string, SearchParameter>(StringComparer.Ordinal);
        foreach (var p in _parameters)
        {
            p.Validate();
            if (!seen.TryAdd(p.Name, p)) throw new MLCardiacException($"Search parameter \"{p.Name}\" is declared twice.");
            if (p.Condition is { } c)
            {
                if (!seen.TryGetValue(c.Parent, out var parent))
                    throw new MLCardiacException($"Search parameter \"{p.Name}\": its condition names \"{c.Parent}\", which is not declared before it.");
                foreach (object v in c.Values)
                    if (!parent.Contains(v))
                        throw new MLCardiacException($"Search parameter \"{p.Name}\": its condition value {SearchParameter.Format(v)} is not a value of \"{c.Parent}\".");
            }
        }
    }

    /// <summary>The parameters in declaration order.</summary>
    public IReadOnlyList<SearchParameter> Parameters => _parameters;

    /// <summary>Number of dimensions (the unit cube's).</summary>
    public int Dimensions => _parameters.Length;

    /// <summary>The parameter called <paramref name="name"/>, or null.</summary>
    public SearchParameter? Find(string name) => _parameters.FirstOrDefault(p => p.Name == name);

    /// <summary>
    /// The assignment at point <paramref name="unit"/> of the unit cube (one coordinate per parameter);
    /// parameters whose condition fails are left out.
    /// </summary>
    public ParameterAssignment FromUnit(IReadOnlyList<double> unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (unit.Count != _parameters.Length) throw new ArgumentException($"Expected {_parameters.Length} coordinates, got {unit.Count}.", nameof(unit));
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (p.Condition is { } c && !c.IsMet(values)) continue;
            values[p.Name] = p.FromUnit(unit[i]);
        }
        return new ParameterAssignment(values);
    }

    /// <summary>The point of the unit cube of <paramref name="assignment"/>; absent parameters sit at 0.5.</summary>
    public double[] ToUnit(ParameterAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var unit = new double[_parameters.Length];
        for (int i = 0; i < unit.Length; i++)
            unit[i] = assignment.TryGetValue(_parameters[i].Name, out object? v) ? _parameters[i].ToUnit(v) : 0.5;
        return unit;
    }

    /// <summary>A uniform random assignment (in each parameter's scale), drawn from <paramref name="random"/>.</summary>
    public ParameterAssignment Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var unit = new double[_parameters.Length];
        for (int i = 0; i < unit.Length; i++) unit[i] = random.NextDouble();
        return FromUnit(unit);
    }

    /// <summary>The default pipeline: every parameter at its default (conditions applied).</summary>
    public ParameterAssignment Default() => Assemble(p => p.DefaultValue);

    /// <summary>The cheapest configuration: cost-driving parameters at their low-cost value, others at their default.</summary>
    public ParameterAssignment LowCost() => Assemble(p => p.LowCost ?? p.DefaultValue);

    /// <summary>Checks that <paramref name="assignment"/> has exactly the active parameters, each within its range.</summary>
    /// <exception cref="MLCardiacException">A value is missing, extra or out of range.</exception>
    public void Validate(ParameterAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var seen = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var p in _parameters)
        {
            bool active = p.Condition is not { } c || c.IsMet(seen);
            bool present = assignment.TryGetValue(p.Name, out object? v);
            if (active && !present) throw new MLCardiacException($"Parameter \"{p.Name}\" is missing.");
            if (!active && present) throw new MLCardiacException($"Parameter \"{p.Name}\" is set although its condition ({p.Condition!.Parent}) does not hold.");
            if (present)
            {
                if (!p.Contains(v!)) throw new MLCardiacException($"Parameter \"{p.Name}\" = {SearchParameter.Format(v)} is outside its range.");
                seen[p.Name] = v!;
            }
        }
        foreach (string k in assignment.Keys)
            if (Find(k) is null) throw new MLCardiacException($"Parameter \"{k}\" is not in the search space.");
    }

    private ParameterAssignment Assemble(Func<SearchParameter, object> pick)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var p in _parameters)
        {
            if (p.Condition is { } c && !c.IsMet(values)) continue;
            values[p.Name] = pick(p);
        }
        return new ParameterAssignment(values);
    }

    /// <summary>
    /// Reads the <c>parameters</c> object of a pipeline file's <c>search</c> section. Each key is a parameter:
    /// <c>{"type": "uniform"|"logUniform"|"int"|"choice"|"bool", "min", "max", "log", "values", "default",
    /// "lowCost", "when": {"parent": value or [values]}}</c>. <paramref name="where"/> names the file for messages.
    /// </summary>
    /// <exception cref="MLCardiacException">A key is unknown, a field is missing or has the wrong type.</exception>
    public static SearchSpace FromJson(JsonElement parameters, string where)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
            throw new MLCardiacException($"{where}: search.parameters must be an object of parameter declarations.");
        var list = new List<SearchParameter>();
        foreach (var prop in parameters.EnumerateObject())
        {
            string at = $"{where}: search parameter \"{prop.Name}\"";
            var e = prop.Value;
            if (e.ValueKind != JsonValueKind.Object) throw new MLCardiacException($"{at} must be an object with a \"type\".");
            string[] known = ["type", "min", "max", "log", "values", "default", "lowCost", "when"];
            foreach (var f in e.EnumerateObject())
                if (!known.Contains(f.Name)) throw new MLCardiacException($"{at}: unknown field \"{f.Name}\" (known: {string.Join(", ", known)}).");
            string type = e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : throw new MLCardiacException($"{at}: \"type\" is missing (uniform, logUniform, int, choice or bool).");
            ParameterKind kind = type switch
            {
                "uniform" or "logUniform" or "float" => ParameterKind.Real,
                "int" => ParameterKind.Integer,
                "choice" => ParameterKind.Choice,
                "bool" => ParameterKind.Bool,
                _ => throw new MLCardiacException($"{at}: type \"{type}\" is not one of uniform, logUniform, int, choice, bool."),
            };
            double Number(string field)
            {
                if (!e.TryGetProperty(field, out var n)) throw new MLCardiacException($"{at}: \"{field}\" is missing.");
                if (n.ValueKind != JsonValueKind.Number) throw new MLCardiacException($"{at}: \"{field}\" must be a number.");
                return n.GetDouble();
            }
            bool log = type == "logUniform" || (e.TryGetProperty("log", out var l) && (l.ValueKind == JsonValueKind.True ? true
                : l.ValueKind == JsonValueKind.False ? false : throw new MLCardiacException($"{at}: \"log\" must be true or false.")));
            IReadOnlyList<object> choices = [];
            if (kind == ParameterKind.Choice)
            {
                if (!e.TryGetProperty("values", out var vs) || vs.ValueKind != JsonValueKind.Array)
                    throw new MLCardiacException($"{at}: a choice needs \"values\": [ ... ].");
                choices = vs.EnumerateArray().Select(v => ParameterAssignment.ReadValue(v, null, prop.Name)).ToArray();
            }
            object? Value(string field) => e.TryGetProperty(field, out var v) ? ParameterAssignment.ReadValue(v, kind == ParameterKind.Integer ? ParameterKind.Integer : null, prop.Name) switch
            {
                int i when kind == ParameterKind.Real => (double)i,
                double d when kind == ParameterKind.Integer && d == Math.Round(d) => (int)d,
                var x => x,
            } : null;
            ParameterCondition? condition = null;
            if (e.TryGetProperty("when", out var w))
            {
                var conds = w.ValueKind == JsonValueKind.Object ? w.EnumerateObject().ToArray() : [];
                if (conds.Length != 1) throw new MLCardiacException($"{at}: \"when\" must be an object with one parent, e.g. {{\"dann\": true}}.");
                var c = conds[0];
                object[] values = c.Value.ValueKind == JsonValueKind.Array
                    ? c.Value.EnumerateArray().Select(v => ParameterAssignment.ReadValue(v, null, c.Name)).ToArray()
                    : [ParameterAssignment.ReadValue(c.Value, null, c.Name)];
                condition = new ParameterCondition(c.Name, values);
            }
            bool numeric = kind is ParameterKind.Real or ParameterKind.Integer;
            list.Add(new SearchParameter
            {
                Name = prop.Name,
                Kind = kind,
                Min = numeric ? Number("min") : 0,
                Max = numeric ? Number("max") : 0,
                Log = numeric && log,
                Choices = choices,
                Default = Value("default"),
                LowCost = Value("lowCost"),
                Condition = condition,
            });
        }
        try
        {
            return new SearchSpace(list);
        }
        catch (MLCardiacException ex)
        {
            throw new MLCardiacException($"{where}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The space declared on the public properties of <typeparamref name="T"/> with ML.NET's search-space
    /// attributes (<c>Range(min, max, init, logBase)</c>, <c>Choice(candidates, default)</c>, <c>BooleanChoice(default)</c>),
    /// in declaration order; names are the property names in camelCase.
    /// </summary>
    public static SearchSpace FromOptions<T>() => FromOptions(typeof(T));

    /// <summary>See <see cref="FromOptions{T}"/>.</summary>
    public static SearchSpace FromOptions(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var list = new List<SearchParameter>();
        foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            string name = JsonNamingPolicy.CamelCase.ConvertName(prop.Name);
            object? lowCost = prop.GetCustomAttribute<LowCostAttribute>()?.Value;
            var when = prop.GetCustomAttribute<ActiveWhenAttribute>();
            ParameterCondition? condition = when is null ? null : new ParameterCondition(JsonNamingPolicy.CamelCase.ConvertName(when.Parent), when.Values);
            SearchParameter? p = null;
            if (prop.GetCustomAttribute<RangeAttribute>() is { } r)
            {
                bool isInt = r.Min is int;
                p = new SearchParameter
                {
                    Name = name,
                    Kind = isInt ? ParameterKind.Integer : ParameterKind.Real,
                    Min = Convert.ToDouble(r.Min, CultureInfo.InvariantCulture),
                    Max = Convert.ToDouble(r.Max, CultureInfo.InvariantCulture),
                    Log = r.LogBase,
                    Default = r.Init is null ? null : isInt ? (object)Convert.ToInt32(r.Init, CultureInfo.InvariantCulture) : Convert.ToDouble(r.Init, CultureInfo.InvariantCulture),
                    LowCost = lowCost is null ? null : isInt ? (object)Convert.ToInt32(lowCost, CultureInfo.InvariantCulture) : Convert.ToDouble(lowCost, CultureInfo.InvariantCulture),
                    Condition = condition,
                };
            }
            else if (prop.GetCustomAttribute<ChoiceAttribute>() is { } ch)
            {
                static object Plain(object v) => v switch { float f => (double)f, long l => (int)l, var x => x };
                p = new SearchParameter
                {
                    Name = name,
                    Kind = ParameterKind.Choice,
                    Choices = ch.Candidates.Select(Plain).ToArray(),
                    Default = ch.DefaultValue is null ? null : Plain(ch.DefaultValue),
                    LowCost = lowCost is null ? null : Plain(lowCost),
                    Condition = condition,
                };
            }
            else if (prop.GetCustomAttribute<BooleanChoiceAttribute>() is { } b)
            {
                p = new SearchParameter { Name = name, Kind = ParameterKind.Bool, Default = b.DefaultValue, LowCost = lowCost, Condition = condition };
            }
            if (p is not null) list.Add(p);
        }
        if (list.Count == 0) throw new MLCardiacException($"{type.Name} declares no search parameter (no [Range], [Choice] or [BooleanChoice] property).");
        return new SearchSpace(list);
    }
}
