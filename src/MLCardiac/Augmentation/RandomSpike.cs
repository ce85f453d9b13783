namespace MLCardiac.Augmentation;

/// <summary>
/// Draws a <see cref="Spike"/>: a spike count from <see cref="Count"/>, each at a uniform k-space position away
/// from the centre (|frequency| ∈ [0.05, 0.45] of the extent per axis, random sign) with intensity from
/// <see cref="Intensity"/>. TorchIO's default is one spike with intensity ∈ [1, 3]; ours are milder because
/// z-scored slices have little energy at k = 0.
/// </summary>
public sealed class RandomSpike : IRandomAugmentation
{
    /// <summary>Smallest number of spikes.</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>Largest number of spikes.</summary>
    public int MaxCount { get; init; } = 2;

    /// <summary>Range of each spike's intensity (relative to max |k-space|).</summary>
    public ParameterRange Intensity { get; init; } = new(0.1, 0.4);

    /// <summary>Number of spikes as a range (for documentation).</summary>
    public ParameterRange Count => new(MinCount, MaxCount);

    /// <inheritdoc/>
    public string Name => "k-space spike";

    /// <inheritdoc/>
    public bool IsSpatial => false;

    /// <inheritdoc/>
    public IAugmentation Sample(AugmentationRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Intensity.Validate("Spike intensity", 0);
        if (MinCount < 0 || MaxCount < MinCount)
        {
            throw new MLCardiacException($"Spike count range is invalid: [{MinCount}, {MaxCount}].");
        }

        int n = MinCount + random.NextInt(MaxCount - MinCount + 1);
        var spikes = new KSpaceSpike[n];
        for (int i = 0; i < n; i++)
        {
            double fy = random.NextUniform(0.05, 0.45) * (random.NextBool(0.5) ? 1 : -1);
            double fx = random.NextUniform(0.05, 0.45) * (random.NextBool(0.5) ? 1 : -1);
            spikes[i] = new KSpaceSpike(fy, fx, Intensity.Sample(random));
        }

        return new Spike(spikes);
    }
}
