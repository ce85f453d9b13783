namespace MLCardiac.Search;

/// <summary>Random search (Bergstra &amp; Bengio 2012): independent uniform draws in each parameter's scale; the baseline.</summary>
public sealed class RandomTuner : ITuner
{
    private readonly SearchSpace _space;
    private readonly Random _random;

    /// <summary>Creates a random tuner over <paramref name="space"/> seeded with <paramref name="seed"/>.</summary>
    public RandomTuner(SearchSpace space, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _space = space;
        _random = new Random(seed);
    }

    /// <inheritdoc/>
    public string Name => "random";

    /// <inheritdoc/>
    public ParameterAssignment Propose(int trial) => _space.Sample(_random);

    /// <inheritdoc/>
    public void Report(TrialReport report) { }
}
