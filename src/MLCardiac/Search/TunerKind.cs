namespace MLCardiac.Search;

/// <summary>How a search proposes configurations and whether it stops trials early.</summary>
public enum TunerKind
{
    /// <summary>Random search, every trial runs its full epoch budget.</summary>
    Random,
    /// <summary>Random proposals, ASHA stops poor trials at the rungs.</summary>
    Asha,
    /// <summary>Cost-frugal local search (<see cref="CfoTuner"/>), every trial runs its full budget.</summary>
    Cfo,
    /// <summary>CFO proposes, ASHA stops (the default).</summary>
    CfoAsha,
}

/// <summary>Names and factories of <see cref="TunerKind"/>.</summary>
public static class TunerKinds
{
    /// <summary>Names accepted by <see cref="Parse"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cfo+asha", "asha", "cfo", "random"];

    /// <summary>Parses "random", "asha", "cfo" or "cfo+asha" (any case).</summary>
    /// <exception cref="MLCardiacException">The name is not a tuner.</exception>
    public static TunerKind Parse(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "random" => TunerKind.Random,
        "asha" or "random+asha" => TunerKind.Asha,
        "cfo" => TunerKind.Cfo,
        "cfo+asha" or "cfoasha" => TunerKind.CfoAsha,
        _ => throw new MLCardiacException($"Tuner \"{name}\" is not known; use one of {string.Join(", ", Names)}."),
    };

    /// <summary>The name of <paramref name="kind"/> as <see cref="Parse"/> reads it.</summary>
    public static string ToName(this TunerKind kind) => kind switch
    {
        TunerKind.Random => "random",
        TunerKind.Asha => "asha",
        TunerKind.Cfo => "cfo",
        _ => "cfo+asha",
    };

    /// <summary>True when the kind stops trials early with ASHA.</summary>
    public static bool UsesAsha(this TunerKind kind) => kind is TunerKind.Asha or TunerKind.CfoAsha;

    /// <summary>A fresh proposer of <paramref name="kind"/>.</summary>
    public static ITuner CreateTuner(this TunerKind kind, SearchSpace space, int seed) =>
        kind is TunerKind.Cfo or TunerKind.CfoAsha ? new CfoTuner(space, seed) : new RandomTuner(space, seed);
}
