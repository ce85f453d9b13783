namespace MLCardiac.Search;

/// <summary>
/// On an options property that carries a search-space attribute: the parameter exists only when the property
/// <see cref="Parent"/> takes one of <see cref="Values"/> (ML.NET's attributes have no conditions).
/// </summary>
/// <param name="parent">Property name of the parent parameter (declared earlier).</param>
/// <param name="values">Values of the parent that activate this parameter.</param>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ActiveWhenAttribute(string parent, params object[] values) : Attribute
{
    /// <summary>The parent property.</summary>
    public string Parent { get; } = parent;
    /// <summary>Values of the parent that activate the parameter.</summary>
    public IReadOnlyList<object> Values { get; } = values;
}
