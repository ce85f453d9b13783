namespace MLCardiac.Search;

/// <summary>The distribution a <see cref="SearchParameter"/> is drawn from.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Integer is the distribution's name, as in the pipeline files.")]
public enum ParameterKind
{
    /// <summary>A real number, uniform on [min, max] (or on a log scale when <see cref="SearchParameter.Log"/>).</summary>
    Real,
    /// <summary>An integer in [min, max] (uniform, or log-uniform when <see cref="SearchParameter.Log"/>).</summary>
    Integer,
    /// <summary>One of a list of values (strings, numbers or booleans).</summary>
    Choice,
    /// <summary>true or false.</summary>
    Bool,
}
