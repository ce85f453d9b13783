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

    /// <summary>
    /// The difference of the means of two independent samples, mean(<paramref name="first"/>) − mean(<paramref name="second"/>)
    /// (NaNs skipped), with its (1 − <paramref name="alpha"/>) percentile bootstrap interval: each resample draws each
    /// sample with replacement on its own. NaN when either sample is empty.
    /// </summary>
    public static (double Mean, double Lower, double Upper) DifferenceInterval(IReadOnlyList<double> first, IReadOnlyList<double> second, int resamples = 2000, double alpha = 0.05, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        double[] a = first.Where(x => !double.IsNaN(x)).ToArray();
        double[] b = second.Where(x => !double.IsNaN(x)).ToArray();
        if (a.Length == 0 || b.Length == 0) return (double.NaN, double.NaN, double.NaN);
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "must be ≥ 1");
        var rng = new Random(seed);
        var differences = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sa = 0, sb = 0;
            for (int i = 0; i < a.Length; i++) sa += a[rng.Next(a.Length)];
            for (int i = 0; i < b.Length; i++) sb += b[rng.Next(b.Length)];
            differences[r] = sa / a.Length - sb / b.Length;
        }
        Array.Sort(differences);
        return (a.Average() - b.Average(), OverlapMetrics.Percentile(differences, 100 * alpha / 2), OverlapMetrics.Percentile(differences, 100 * (1 - alpha / 2)));
    }
}
