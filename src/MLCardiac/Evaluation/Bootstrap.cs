namespace MLCardiac.Evaluation;

/// <summary>Percentile bootstrap confidence intervals of a mean (Efron &amp; Tibshirani 1993), seeded.</summary>
public static class Bootstrap
{
    /// <summary>
    /// The mean of <paramref name="values"/> (NaNs skipped) with its (1 − <paramref name="alpha"/>) percentile
    /// bootstrap interval from <paramref name="resamples"/> resamples; the same seed gives the same interval.
    /// </summary>
    public static (double Mean, double Lower, double Upper) MeanInterval(IReadOnlyList<double> values, int resamples = 2000, double alpha = 0.05, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] v = values.Where(x => !double.IsNaN(x)).ToArray();
        if (v.Length == 0) return (double.NaN, double.NaN, double.NaN);
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "must be ≥ 1");
        var rng = new Random(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < v.Length; i++) sum += v[rng.Next(v.Length)];
            means[r] = sum / v.Length;
        }
        Array.Sort(means);
        return (v.Average(), OverlapMetrics.Percentile(means, 100 * alpha / 2), OverlapMetrics.Percentile(means, 100 * (1 - alpha / 2)));
    }
}
