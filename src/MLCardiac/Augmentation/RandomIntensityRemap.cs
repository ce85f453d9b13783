namespace MLCardiac.Augmentation;

/// <summary>
/// Draws an <see cref="IntensityRemap"/>: K − 1 sorted uniform values in [0, 1] give a random monotone curve,
/// blended with the straight line by a strength drawn from <see cref="Strength"/> (0 = identity, 1 = the
/// random curve itself). Defaults: K = 4 segments, strength ∈ [0.2, 0.6].
/// </summary>
public sealed class RandomIntensityRemap : IRandomAugmentation
{
    /// <summary>Number of linear segments K (≥ 2).</summary>
    public int Segments { get; init; } = 4;

    /// <summary>Range of the blend between the identity and the random curve.</summary>
    public ParameterRange Strength { get; init; } = new(0.2, 0.6);

    /// <inheritdoc/>
    public string Name => "intensity remap";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Strength.Validate("Remap strength", 0, 1);
        if (Segments < 2)
        {
            throw new MLCardiacException($"Remap needs at least 2 segments, got {Segments}.");
        }

        double strength = Strength.Sample(random);
        var inner = new double[Segments - 1];
        for (int i = 0; i < inner.Length; i++)
        {
            inner[i] = random.NextDouble();
        }

        Array.Sort(inner);
        var curve = new float[Segments + 1];
        curve[Segments] = 1;
        for (int i = 1; i < Segments; i++)
        {
            double line = (double)i / Segments;
            curve[i] = (float)(line + (strength * (inner[i - 1] - line)));
        }

        for (int i = 1; i <= Segments; i++)
        {
            curve[i] = Math.Max(curve[i], curve[i - 1]);
        }

        return new IntensityRemap(curve);
    }
}
