namespace MLCardiac.Augmentation;

/// <summary>A closed interval [<see cref="Min"/>, <see cref="Max"/>] a random parameter is drawn from uniformly.</summary>
/// <param name="Min">Lower bound.</param>
/// <param name="Max">Upper bound (≥ <paramref name="Min"/>).</param>
public readonly record struct ParameterRange(double Min, double Max)
{
    /// <summary>A range holding one value.</summary>
    public static ParameterRange Fixed(double value) => new(value, value);

    /// <summary>A range symmetric around 0: [−<paramref name="halfWidth"/>, <paramref name="halfWidth"/>].</summary>
    public static ParameterRange Symmetric(double halfWidth) => new(-halfWidth, halfWidth);

    /// <summary>Draws a value uniformly.</summary>
    public double Sample(AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return random.NextUniform(Min, Max);
    }

    /// <summary>
    /// Draws a factor as nnU-Net's <c>BGContrast</c> does: when the range straddles 1, half of the draws fall in
    /// [Min, 1) and half in [1, Max], so shrinking and growing are equally likely whatever the asymmetry.
    /// </summary>
    public double SampleAroundOne(AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (Min < 1 && Max > 1)
        {
            return random.NextDouble() < 0.5 ? random.NextUniform(Min, 1) : random.NextUniform(1, Max);
        }

        return random.NextUniform(Min, Max);
    }

    /// <summary>Throws when the range is empty, reversed or outside [<paramref name="lowest"/>, <paramref name="highest"/>].</summary>
    internal void Validate(string name, double lowest = double.NegativeInfinity, double highest = double.PositiveInfinity)
    {
        if (!(Min <= Max) || Min < lowest || Max > highest || double.IsNaN(Min) || double.IsNaN(Max))
        {
            throw new MLCardiacException($"{name} must be a range within [{lowest}, {highest}] with min ≤ max, got [{Min}, {Max}].");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => FormattableString.Invariant($"[{Min:0.###}, {Max:0.###}]");
}
