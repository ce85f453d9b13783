namespace MLCardiac.Data.Synthetic;

/// <summary>Options of <see cref="SyntheticCohortGenerator"/>. Defaults give the full-size dataset.</summary>
public sealed record SyntheticCohortOptions
{
    /// <summary>Default cohort seed.</summary>
    public const ulong DefaultSeed = 20200101;

    /// <summary>Cohort seed; every subject's generator is derived from (seed, vendor, index).</summary>
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>Fewest cine frames per cycle (≥ 4).</summary>
    public int MinFrames { get; init; } = 20;

    /// <summary>Most cine frames per cycle (≥ <see cref="MinFrames"/>).</summary>
    public int MaxFrames { get; init; } = 30;

    /// <summary>Fewest short-axis slices (≥ 3).</summary>
    public int MinSlices { get; init; } = 8;

    /// <summary>Most short-axis slices (≥ <see cref="MinSlices"/>).</summary>
    public int MaxSlices { get; init; } = 14;

    /// <summary>Throws <see cref="MLCardiacException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (MinFrames < 4 || MaxFrames < MinFrames)
        {
            throw new MLCardiacException($"Frames must satisfy 4 ≤ MinFrames ≤ MaxFrames (got {MinFrames}..{MaxFrames}).");
        }
        if (MinSlices < 3 || MaxSlices < MinSlices)
        {
            throw new MLCardiacException($"Slices must satisfy 3 ≤ MinSlices ≤ MaxSlices (got {MinSlices}..{MaxSlices}).");
        }
    }
}
