namespace MLCardiac.Experiments;

/// <summary>A mean with its 95 % bootstrap confidence interval.</summary>
/// <param name="Mean">Point estimate.</param>
/// <param name="Lower">Lower bound.</param>
/// <param name="Upper">Upper bound.</param>
public sealed record Interval(double Mean, double Lower, double Upper)
{
    /// <summary>From the evaluation library's tuple.</summary>
    public static Interval From((double Mean, double Lower, double Upper) t) => new(t.Mean, t.Lower, t.Upper);

    /// <summary>True when the interval lies entirely above zero.</summary>
    public bool AboveZero => Lower > 0;

    /// <summary>True when the interval lies entirely below zero.</summary>
    public bool BelowZero => Upper < 0;
}
