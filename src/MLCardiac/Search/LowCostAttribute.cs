namespace MLCardiac.Search;

/// <summary>
/// On an options property that carries a search-space attribute: the value at which a trial is cheapest
/// (fewest epochs, fewest filters); the cost-frugal tuner starts there.
/// </summary>
/// <param name="value">The cheapest value.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class LowCostAttribute(object value) : Attribute
{
    /// <summary>The cheapest value.</summary>
    public object Value { get; } = value;
}
