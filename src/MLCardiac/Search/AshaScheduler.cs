namespace MLCardiac.Search;

/// <summary>
/// Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel Hyperparameter Tuning",
/// MLSys 2020) in its stopping form: rungs sit at r, rη, rη², … epochs (r = <see cref="MinEpochs"/>,
/// η = <see cref="ReductionFactor"/>). When a trial reaches a rung, its score is compared with the scores every
/// earlier trial recorded at that rung; it continues only if it is in the top 1/η of them (at or above their
/// (1 − 1/η) quantile), otherwise it is stopped. Decisions never wait for other trials, so workers never idle,
/// and the first trial at a rung always continues.
/// </summary>
public sealed class AshaScheduler
{
    /// <summary>Default epochs of the first rung.</summary>
    public const int DefaultMinEpochs = 1;
    /// <summary>Default reduction factor η.</summary>
    public const double DefaultReductionFactor = 3;

    /// <summary>Creates a scheduler; rungs below <paramref name="maxEpochs"/> are used (the last epoch is no rung).</summary>
    /// <exception cref="MLCardiacException">A value is out of range.</exception>
    public AshaScheduler(int minEpochs = DefaultMinEpochs, double reductionFactor = DefaultReductionFactor, int maxEpochs = 1000)
    {
        if (minEpochs < 1) throw new MLCardiacException($"ASHA minEpochs must be ≥ 1 (was {minEpochs}).");
        if (!(reductionFactor >= 1.5) || double.IsInfinity(reductionFactor)) throw new MLCardiacException($"ASHA reductionFactor must be ≥ 1.5 (was {reductionFactor}).");
        if (maxEpochs < 1) throw new MLCardiacException($"ASHA maxEpochs must be ≥ 1 (was {maxEpochs}).");
        MinEpochs = minEpochs;
        ReductionFactor = reductionFactor;
        MaxEpochs = maxEpochs;
        var rungs = new List<int>();
        for (double r = minEpochs; r < maxEpochs; r *= reductionFactor)
        {
            int rung = (int)Math.Round(r);
            if (rungs.Count == 0 || rung > rungs[^1]) rungs.Add(rung);
        }
        Rungs = rungs;
    }

    /// <summary>Epochs of the first rung.</summary>
    public int MinEpochs { get; }
    /// <summary>η: only the top 1/η of a rung continues.</summary>
    public double ReductionFactor { get; }
    /// <summary>The largest epoch budget a trial can have.</summary>
    public int MaxEpochs { get; }
    /// <summary>Epoch counts at which trials are compared.</summary>
    public IReadOnlyList<int> Rungs { get; }

    /// <summary>True when <paramref name="epochs"/> completed epochs is a rung.</summary>
    public bool IsRung(int epochs) => Rungs.Contains(epochs);

    /// <summary>
    /// Whether a trial with <paramref name="score"/> (higher is better) at a rung continues, given the scores
    /// <paramref name="recorded"/> earlier at the same rung by other trials.
    /// </summary>
    public bool ShouldContinue(double score, IReadOnlyList<double> recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (double.IsNaN(score)) return false;
        double cutoff = Cutoff(recorded);
        return double.IsNaN(cutoff) || score >= cutoff;
    }

    /// <summary>The (1 − 1/η) quantile of <paramref name="recorded"/> (linear interpolation, NaNs ignored); NaN when empty.</summary>
    public double Cutoff(IReadOnlyList<double> recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        double[] v = recorded.Where(x => !double.IsNaN(x)).Order().ToArray();
        if (v.Length == 0) return double.NaN;
        double q = (1 - 1 / ReductionFactor) * (v.Length - 1);
        int lo = (int)Math.Floor(q);
        int hi = Math.Min(v.Length - 1, lo + 1);
        return v[lo] + (q - lo) * (v[hi] - v[lo]);
    }
}
