using System.Globalization;

namespace MLCardiac.Search;

/// <summary>
/// One dimension of a <see cref="SearchSpace"/>. Every tuner works in the unit cube: <see cref="FromUnit"/> maps
/// u ∈ [0, 1] to a value (linear or logarithmic for numbers, equal-width bins for choices) and
/// <see cref="ToUnit"/> maps a value back to the centre of its bin.
/// </summary>
public sealed record SearchParameter
{
    /// <summary>Name (the key in the assignment and in the pipeline JSON).</summary>
    public required string Name { get; init; }
    /// <summary>Distribution.</summary>
    public required ParameterKind Kind { get; init; }
    /// <summary>Lower bound (numbers only).</summary>
    public double Min { get; init; }
    /// <summary>Upper bound (numbers only).</summary>
    public double Max { get; init; }
    /// <summary>Log scale (numbers only; needs Min &gt; 0).</summary>
    public bool Log { get; init; }
    /// <summary>Candidates of a <see cref="ParameterKind.Choice"/> (string, double or bool values).</summary>
    public IReadOnlyList<object> Choices { get; init; } = [];
    /// <summary>The value of the default pipeline; null means the middle of the range / the first choice / false.</summary>
    public object? Default { get; init; }
    /// <summary>
    /// The cheapest value, when this parameter drives the cost of a trial (epochs, filters, batch size): the
    /// cost-frugal tuner starts there (FLAML's <c>low_cost_partial_config</c>). Null: cost does not depend on it.
    /// </summary>
    public object? LowCost { get; init; }
    /// <summary>When set, the parameter is active only if the condition holds.</summary>
    public ParameterCondition? Condition { get; init; }

    /// <summary>Checks the declaration, naming the parameter and the problem.</summary>
    /// <exception cref="MLCardiacException">The declaration is inconsistent.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new MLCardiacException("A search parameter has no name.");
        switch (Kind)
        {
            case ParameterKind.Real or ParameterKind.Integer:
                if (!double.IsFinite(Min) || !double.IsFinite(Max) || Min > Max)
                    throw new MLCardiacException($"Search parameter \"{Name}\": min ({Min}) must be ≤ max ({Max}), both finite.");
                if (Log && Min <= 0) throw new MLCardiacException($"Search parameter \"{Name}\": a log scale needs min > 0 (was {Min}).");
                if (Kind == ParameterKind.Integer && (Min != Math.Floor(Min) || Max != Math.Floor(Max)))
                    throw new MLCardiacException($"Search parameter \"{Name}\": an int range needs whole bounds (was {Min}..{Max}).");
                break;
            case ParameterKind.Choice:
                if (Choices.Count == 0) throw new MLCardiacException($"Search parameter \"{Name}\": a choice needs at least one value.");
                break;
        }
        foreach (var (what, value) in new[] { ("default", Default), ("lowCost", LowCost) })
        {
            if (value is not null && !Contains(value))
                throw new MLCardiacException($"Search parameter \"{Name}\": its {what} value {Format(value)} is outside its range.");
        }
    }

    /// <summary>True when <paramref name="value"/> is a legal value of this parameter.</summary>
    public bool Contains(object value) => Kind switch
    {
        ParameterKind.Real => value is double d && d >= Min && d <= Max,
        ParameterKind.Integer => value is int i && i >= Min && i <= Max,
        ParameterKind.Bool => value is bool,
        _ => Choices.Any(c => ParameterAssignment.ValuesEqual(c, value)),
    };

    /// <summary>The default pipeline's value.</summary>
    public object DefaultValue => Default ?? Kind switch
    {
        ParameterKind.Real or ParameterKind.Integer => FromUnit(0.5),
        ParameterKind.Bool => false,
        _ => Choices[0],
    };

    /// <summary>Number of distinct values (<see cref="int.MaxValue"/> for a real range).</summary>
    public int Cardinality => Kind switch
    {
        ParameterKind.Real => Min == Max ? 1 : int.MaxValue,
        ParameterKind.Integer => (int)Math.Min(int.MaxValue, Max - Min + 1),
        ParameterKind.Bool => 2,
        _ => Choices.Count,
    };

    /// <summary>The value at position <paramref name="u"/> ∈ [0, 1] of the unit interval (clamped).</summary>
    public object FromUnit(double u)
    {
        u = double.IsNaN(u) ? 0.5 : Math.Clamp(u, 0, 1);
        switch (Kind)
        {
            case ParameterKind.Real:
                return Log ? Math.Exp(Math.Log(Min) + u * (Math.Log(Max) - Math.Log(Min))) : Min + u * (Max - Min);
            case ParameterKind.Integer:
                {
                    // Equal-width bins on the (log) scale around each integer (a log int has min ≥ 1, so min − 0.5 > 0).
                    double lo = Log ? Math.Log(Min - 0.5) : Min - 0.5;
                    double hi = Log ? Math.Log(Max + 0.5) : Max + 0.5;
                    double x = lo + u * (hi - lo);
                    double v = Log ? Math.Exp(x) : x;
                    return (int)Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), Min, Max);
                }
            case ParameterKind.Bool:
                return u >= 0.5;
            default:
                return Choices[Math.Min(Choices.Count - 1, (int)(u * Choices.Count))];
        }
    }

    /// <summary>The position in [0, 1] of <paramref name="value"/> (the centre of its bin for discrete values).</summary>
    public double ToUnit(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (Kind)
        {
            case ParameterKind.Real:
                {
                    double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    if (Max == Min) return 0.5;
                    return Math.Clamp(Log ? (Math.Log(d) - Math.Log(Min)) / (Math.Log(Max) - Math.Log(Min)) : (d - Min) / (Max - Min), 0, 1);
                }
            case ParameterKind.Integer:
                {
                    double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    double lo = Log ? Math.Log(Min - 0.5) : Min - 0.5;
                    double hi = Log ? Math.Log(Max + 0.5) : Max + 0.5;
                    return Math.Clamp(((Log ? Math.Log(d) : d) - lo) / (hi - lo), 0, 1);
                }
            case ParameterKind.Bool:
                return value is true ? 0.75 : 0.25;
            default:
                {
                    int index = -1;
                    for (int i = 0; i < Choices.Count; i++) if (ParameterAssignment.ValuesEqual(Choices[i], value)) { index = i; break; }
                    if (index < 0) throw new MLCardiacException($"Search parameter \"{Name}\": {Format(value)} is not one of its choices.");
                    return (index + 0.5) / Choices.Count;
                }
        }
    }

    /// <summary>A value as it is written in reports.</summary>
    public static string Format(object? value) => value switch
    {
        null => "–",
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
