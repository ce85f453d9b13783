namespace MLCardiac.Search;

/// <summary>
/// Makes a parameter active only when another (declared earlier) takes one of some values — e.g. the DANN
/// weight λ exists only when <c>dann</c> is true. An inactive parameter is absent from the assignment.
/// </summary>
/// <param name="Parent">Name of the parameter this one depends on.</param>
/// <param name="Values">Values of <paramref name="Parent"/> for which this parameter is active.</param>
public sealed record ParameterCondition(string Parent, IReadOnlyList<object> Values)
{
    /// <summary>True when <paramref name="assignment"/> gives the parent one of <see cref="Values"/>.</summary>
    public bool IsMet(IReadOnlyDictionary<string, object> assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return assignment.TryGetValue(Parent, out object? value) && Values.Any(v => ParameterAssignment.ValuesEqual(v, value));
    }
}
