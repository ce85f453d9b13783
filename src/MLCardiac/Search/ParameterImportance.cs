namespace MLCardiac.Search;

/// <summary>
/// How much of the spread of trial metrics each parameter explains on its own: the share of the metric's variance
/// between the groups of a parameter's values (choices, or quartile bins of numbers) — a main-effect η², the first
/// term of an fANOVA decomposition. Crude with few trials, honest about it: values are between 0 and 1 and do not
/// add up to 1.
/// </summary>
public static class ParameterImportance
{
    /// <summary>η² per parameter over <paramref name="trials"/> with a metric (inactive parameters form their own group).</summary>
    public static IReadOnlyList<(string Parameter, double Share)> Compute(SearchSpace space, IReadOnlyList<TrialRecord> trials)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(trials);
        var done = trials.Where(t => t.Metric is double m && double.IsFinite(m)).ToList();
        var result = new List<(string, double)>();
        if (done.Count < 3) return result;
        double mean = done.Average(t => t.Metric!.Value);
        double total = done.Sum(t => Math.Pow(t.Metric!.Value - mean, 2));
        foreach (var p in space.Parameters)
        {
            string Group(TrialRecord t)
            {
                if (!t.Parameters.TryGetValue(p.Name, out object? v)) return "(inactive)";
                if (p.Kind is ParameterKind.Choice or ParameterKind.Bool || p.Cardinality <= 4) return SearchParameter.Format(v);
                return ((int)Math.Min(3, p.ToUnit(v) * 4)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            double between = done.GroupBy(Group).Sum(g => g.Count() * Math.Pow(g.Average(t => t.Metric!.Value) - mean, 2));
            result.Add((p.Name, total > 0 ? between / total : 0));
        }
        return result.OrderByDescending(r => r.Item2).ToList();
    }
}
